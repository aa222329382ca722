package sim

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// maxSweepRuns bounds a sweep (points × replications).
const maxSweepRuns = 100_000

// Axis is one swept field: PATH=FROM:TO:STEP.
type Axis struct {
	Path           string
	From, To, Step float64
	// Seeds holds a seed axis' bounds exactly (From, To and Step are
	// then their nearest floats, for display): a float holds integers
	// exactly only up to 2^53, and seeds run to 2^64−1.
	Seeds SeedRange `json:",omitzero"`
}

// SeedRange is a seed axis: From, From+Step, … up to To.
type SeedRange struct {
	From, To, Step uint64
}

// maxAxisValues bounds one axis.
const maxAxisValues = 10000

// ParseAxis reads "fleet.policy.minAvailable.count=10:40:5"; a seed
// axis ("seed=0:99:1") takes whole numbers only.
func ParseAxis(s string) (Axis, error) {
	path, rng, ok := strings.Cut(s, "=")
	parts := strings.Split(rng, ":")
	if !ok || path == "" || len(parts) != 3 {
		return Axis{}, fmt.Errorf("--set %q: want PATH=FROM:TO:STEP", s)
	}
	if path == "seed" {
		return parseSeedAxis(s, parts)
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return Axis{}, fmt.Errorf("--set %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	a := Axis{Path: path, From: v[0], To: v[1], Step: v[2]}
	switch {
	case a.Step <= 0:
		return Axis{}, fmt.Errorf("--set %q: STEP must be > 0", s)
	case a.To < a.From:
		return Axis{}, fmt.Errorf("--set %q: TO must be ≥ FROM", s)
	case (a.To-a.From)/a.Step > maxAxisValues:
		return Axis{}, fmt.Errorf("--set %q: more than %d values", s, maxAxisValues)
	}
	return a, nil
}

// Count is the number of the axis' values (what Values returns), without
// building them.
func (a Axis) Count() int {
	if r := a.Seeds; r.Step > 0 {
		return int(min((r.To-r.From)/r.Step, math.MaxInt32)) + 1
	}
	return int(math.Floor((a.To-a.From)/a.Step+1e-9)) + 1
}

// Values lists the axis' values, formatted as the scenario expects.
func (a Axis) Values() []string {
	var out []string
	if r := a.Seeds; r.Step > 0 {
		for v := r.From; ; v += r.Step {
			out = append(out, strconv.FormatUint(v, 10))
			if r.To-v < r.Step { // v+Step would pass To (or wrap past 2^64)
				return out
			}
		}
	}
	for i := 0; ; i++ {
		v := a.From + float64(i)*a.Step
		if v > a.To+a.Step*1e-9 {
			break
		}
		out = append(out, strconv.FormatFloat(math.Round(v*1e9)/1e9, 'f', -1, 64))
	}
	return out
}

// SweepPoint is one grid point, its replications merged.
type SweepPoint struct {
	Set  map[string]string `json:"set"`
	P99  float64           `json:"timeToRoomP99"`
	P50  float64           `json:"timeToRoomP50"`
	Cost results.Cost      `json:"cost"`
	// DaysMet counts the replications (days) that met every SLO, each
	// judged by itself; Pass is whether all did. Verdicts and the
	// percentiles above are pooled over the replications, for display.
	DaysMet  int               `json:"daysMet"`
	Pass     bool              `json:"pass"`
	Verdicts []results.Verdict `json:"verdicts"`
	Pareto   bool              `json:"pareto"`
}

// SweepResult is what `sim sweep` writes to sweep.json.
type SweepResult struct {
	Scenario string       `json:"scenario"`
	Seed     uint64       `json:"seed"`
	Reps     int          `json:"reps"`
	Axes     []Axis       `json:"axes"`
	Points   []SweepPoint `json:"points"`
}

// SweepGrid is a sweep's points and their model runs (reps per point,
// point-major), built the same way wherever the runs execute.
type SweepGrid struct {
	Sets      [][]scenarios.Override
	Scenarios []*scenarios.Scenario // one per point
	Jobs      []Job
	Work      Work
}

// NewSweepGrid sizes the grid of axes over a scenario document, refusing
// one past maxSweepRuns before building it, and builds its jobs.
func NewSweepGrid(doc []byte, dir string, axes []Axis, reps int) (*SweepGrid, error) {
	if err := CheckAxes(axes); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	// Size the grid before building it (in floats: no product overflows).
	size := float64(reps)
	for _, a := range axes {
		size *= float64(a.Count())
	}
	if size > maxSweepRuns {
		return nil, fmt.Errorf("%w: the grid × --reps %d is %.3g runs, more than %d; narrow an axis, raise its STEP or lower --reps",
			ErrOverBudget, reps, size, maxSweepRuns)
	}
	g := &SweepGrid{Sets: [][]scenarios.Override{nil}}
	for _, a := range axes {
		var next [][]scenarios.Override
		for _, set := range g.Sets {
			for _, v := range a.Values() {
				next = append(next, append(append([]scenarios.Override(nil), set...), scenarios.Override{Path: a.Path, Value: v}))
			}
		}
		g.Sets = next
	}
	g.Scenarios = make([]*scenarios.Scenario, len(g.Sets))
	for i, set := range g.Sets {
		sc, err := scenarios.ParseWith(doc, dir, set)
		if err != nil {
			return nil, fmt.Errorf("%w: sweep point %v: %w", ErrBadInput, set, err)
		}
		g.Scenarios[i] = sc
		g.Work = g.Work.Plus(Estimate(sc).Times(reps))
		g.Jobs = append(g.Jobs, replicationJobs(sc, reps)...)
	}
	return g, nil
}

// Sweep runs the grid of axes over a scenario document (reps replications
// per point) on workers goroutines, or with opts.RunJobs, and marks the
// cost/p99 Pareto frontier.
func Sweep(ctx context.Context, doc []byte, dir string, axes []Axis, reps, workers int, opts Options) (*SweepResult, error) {
	reps = max(reps, 1)
	g, err := NewSweepGrid(doc, dir, axes, reps)
	if err != nil {
		return nil, err
	}
	if opts.Budget != nil {
		if err := opts.Budget.Check(g.Work); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}
	var runs []*results.Run
	if opts.RunJobs != nil {
		runs, err = opts.RunJobs(ctx, g.Jobs)
		if err == nil && len(runs) != len(g.Jobs) {
			err = fmt.Errorf("sweep: %d runs came back for %d jobs", len(runs), len(g.Jobs))
		}
	} else {
		runs, err = RunAll(ctx, g.Jobs, workers, opts)
	}
	if err != nil {
		return nil, err
	}
	grid, scs := g.Sets, g.Scenarios
	res := &SweepResult{Scenario: scs[0].Name, Seed: scs[0].Seed, Reps: reps, Axes: axes}
	res.Points = make([]SweepPoint, len(grid))
	// Merging encodes histograms: do it in parallel too, not after.
	err = parallel(ctx, len(grid), workers, func(i int) error {
		days := runs[i*res.Reps : (i+1)*res.Reps]
		met := 0
		for _, r := range days {
			r.Summarize()
			if passed(results.Judge(r, scs[i].SLO)) {
				met++
			}
		}
		merged, err := results.Merge(days)
		if err != nil {
			return err
		}
		merged.Verdicts = results.Judge(merged, scs[i].SLO)
		p := SweepPoint{Set: map[string]string{}, Cost: merged.Cost, DaysMet: met, Pass: met == len(days), Verdicts: merged.Verdicts}
		for _, o := range grid[i] {
			p.Set[o.Path] = o.Value
		}
		ttr := merged.Metrics[results.TimeToRoom]
		p.P99, p.P50 = ttr.P99, ttr.P50
		res.Points[i] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	markPareto(res.Points)
	return res, nil
}

func passed(verdicts []results.Verdict) bool {
	for _, v := range verdicts {
		if !v.Pass {
			return false
		}
	}
	return true
}

// costOf is what the frontier trades against latency: money when priced,
// else node-seconds, else server-seconds.
func costOf(c results.Cost) float64 {
	switch {
	case c.Money > 0:
		return c.Money
	case c.NodeSeconds > 0:
		return c.NodeSeconds
	}
	return c.ServerSeconds
}

// markPareto flags points no other point beats on both cost and p99.
func markPareto(ps []SweepPoint) {
	for i := range ps {
		ps[i].Pareto = true
		for j := range ps {
			ci, cj := costOf(ps[i].Cost), costOf(ps[j].Cost)
			if j != i && cj <= ci && ps[j].P99 <= ps[i].P99 && (cj < ci || ps[j].P99 < ps[i].P99) {
				ps[i].Pareto = false
				break
			}
		}
	}
}
