package results

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Verdicts of a comparison row.
const (
	NoChange    = "~"
	Regression  = "regression"
	Improvement = "improvement"
	// NotJudged: the change is large enough to count, but the test has
	// too few samples (or runs) to ever be significant, or one side has
	// none; Note says how few.
	NotJudged = "too few to judge"
)

// CompareOptions tune what counts as a change.
type CompareOptions struct {
	// MinEffect is the smallest relative change of a percentile that
	// counts (default 10%): a significant 3% shift is not worth a red build.
	MinEffect float64
	// MinAbsolute is the smallest change of a percentile, in seconds, that
	// counts (default 50 ms): a connect time going from 8 to 11 ms is
	// loopback noise, whatever its relative size.
	MinAbsolute float64
	// MinRatioEffect is the smallest change of a ratio, absolute (default
	// 0.001: a tenth of a percentage point).
	MinRatioEffect float64
	// Alpha is the significance level of the tests (default 0.05).
	Alpha float64
	// Resamples is the bootstrap's size (default 1,000).
	Resamples int
	// Seed makes the bootstrap repeatable.
	Seed uint64
}

func (o *CompareOptions) defaults() {
	if o.MinEffect == 0 {
		o.MinEffect = 0.10
	}
	if o.MinAbsolute == 0 {
		o.MinAbsolute = 0.05
	}
	if o.MinRatioEffect == 0 {
		o.MinRatioEffect = 0.001
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.Resamples == 0 {
		o.Resamples = 1000
	}
}

// Delta is one row of a comparison: a metric's percentile or a ratio.
// Its JSON (compare_json.go) writes an infinite change as "+Inf".
type Delta struct {
	Name     string  `json:"name"` // "time_to_room.p99", "recovery_ratio"
	Baseline float64 `json:"baseline"`
	Current  float64 `json:"current"`
	// Change is relative ((current − baseline) / baseline) for
	// percentiles, absolute for ratios; Low and High bound it (95%,
	// bootstrap for percentiles, normal for ratios). From a zero
	// baseline a rise is +Inf and 0 → 0 is 0: never NaN.
	Change   float64 `json:"change"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	Relative bool    `json:"relative"`
	// KS and W1 compare the whole distributions (latency rows).
	KS float64 `json:"ks,omitempty"`
	W1 float64 `json:"w1,omitempty"`
	// P is the one-sided p-value for "worse": Mann–Whitney U over the
	// runs' values when both sides have ≥ 2 runs, else the bootstrap's
	// share of resamples not worse (percentiles) or a two-proportion z
	// test (ratios).
	P       float64 `json:"p"`
	Verdict string  `json:"verdict"`
	// Worse: the change points the worse way by enough to count, whatever
	// the test says: a regression when significant, "~" when not, and a
	// row not judged that fails the gate (Comparison.Unverified).
	Worse bool `json:"worse,omitempty"`
	// Note says why a row is not judged.
	Note string `json:"note,omitempty"`
}

// Comparison is baseline against current.
type Comparison struct {
	BaselineRuns, CurrentRuns int
	Rows                      []Delta
}

// comparedPercentiles are the percentiles compared per latency metric.
var comparedPercentiles = []struct {
	name string
	q    float64
}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}}

// Compare judges current runs (repetitions of one scenario) against
// baseline runs. Every latency metric is worse when higher; the
// allocation failure ratio is worse when higher, the recovery ratio when
// lower.
func Compare(baseline, current []*Run, opts CompareOptions) (*Comparison, error) {
	opts.defaults()
	if len(baseline) == 0 || len(current) == 0 {
		return nil, fmt.Errorf("compare: %d baseline and %d current runs, need at least one of each", len(baseline), len(current))
	}
	b, err := Merge(baseline)
	if err != nil {
		return nil, err
	}
	c, err := Merge(current)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0xc0ffee))
	out := &Comparison{BaselineRuns: len(baseline), CurrentRuns: len(current)}
	for _, name := range latencyMetrics() {
		if b.Metrics[name].Count == 0 && c.Metrics[name].Count == 0 {
			continue
		}
		rows, err := comparePercentiles(name, b, c, baseline, current, opts, rng)
		if err != nil {
			return nil, err
		}
		out.Rows = append(out.Rows, rows...)
	}
	out.Rows = append(out.Rows,
		compareRatio("allocation_failure_ratio", true, opts, baseline, current, func(r *Run) (int64, int64) {
			return r.Counters[AllocationFailures], r.Counters[Allocations]
		}),
		compareRatio("recovery_ratio", false, opts, baseline, current, func(r *Run) (int64, int64) {
			return r.Counters[RecoveriesOK], r.Counters[RecoveriesFailed]
		}))
	return out, nil
}

func comparePercentiles(name string, b, c *Run, baseline, current []*Run, opts CompareOptions, rng *rand.Rand) ([]Delta, error) {
	hb, err := b.Histogram(name)
	if err != nil {
		return nil, err
	}
	hc, err := c.Histogram(name)
	if err != nil {
		return nil, err
	}
	// The summary's count is the file's word; the histogram is what is
	// compared (a metric without its hdr has none).
	if hb.Count() <= 0 || hc.Count() <= 0 {
		return oneSided(name, hb, hc), nil
	}
	xb, wb := hb.Distribution()
	xc, wc := hc.Distribution()
	ks, w1 := distances(hb, hc)
	// One bootstrap for all percentiles: resampled counts per bucket.
	boot := make([][]float64, len(comparedPercentiles))
	cb, cc := make([]float64, len(wb)), make([]float64, len(wc))
	for range opts.Resamples {
		resample(wb, cb, rng)
		resample(wc, cc, rng)
		for i, p := range comparedPercentiles {
			qb, qc := quantile(xb, cb, p.q), quantile(xc, cc, p.q)
			boot[i] = append(boot[i], relChange(qc, qb))
		}
	}
	var rows []Delta
	for i, p := range comparedPercentiles {
		d := Delta{Name: name + "." + p.name, Baseline: quantile(xb, wb, p.q), Current: quantile(xc, wc, p.q), Relative: true, KS: ks, W1: w1}
		d.Change = relChange(d.Current, d.Baseline)
		changes := boot[i] // never NaN: relChange has no 0/0
		sort.Float64s(changes)
		d.Low, d.High = stat.Quantile(0.025, stat.Empirical, changes, nil), stat.Quantile(0.975, stat.Empirical, changes, nil)
		worse := d.Change > 0
		d.P = shareNotBeyond(changes, worse)
		n1, n2, unit := float64(hb.Count()), float64(hc.Count()), "samples"
		if len(baseline) >= 2 && len(current) >= 2 {
			x, y := runValues(baseline, name, p.q), runValues(current, name, p.q)
			n1, n2, unit = float64(len(x)), float64(len(y)), "runs"
			d.P = mannWhitneyP(x, y, worse)
		}
		counts := math.Abs(d.Change) >= opts.MinEffect && math.Abs(d.Current-d.Baseline) >= opts.MinAbsolute
		d.Worse = counts && worse
		switch {
		case !counts:
			// Too small to count, however significant: no test can make it a change.
			d.Verdict = NoChange
		case !canReach(n1, n2, opts.Alpha):
			d.Verdict, d.Note = NotJudged, tooFew(unit, n1, n2, opts.Alpha)
		default:
			d.Verdict = judge(d.Change, d.Low, d.High, d.P, opts.MinEffect, opts.Alpha, true)
		}
		rows = append(rows, d)
	}
	return rows, nil
}

// runValues are the runs' q-percentiles of a metric (runs without it left out).
func runValues(runs []*Run, name string, q float64) []float64 {
	var out []float64
	for _, r := range runs {
		if h, err := r.Histogram(name); err == nil && h.Count() > 0 {
			out = append(out, h.Quantile(q))
		}
	}
	return out
}

// mannWhitneyP tests the runs' percentiles with Mann–Whitney U,
// one-sided in the direction of the change.
func mannWhitneyP(x, y []float64, higher bool) float64 {
	if !higher {
		x, y = y, x
	}
	_, p := MannWhitney(x, y)
	if !(p >= 0 && p <= 1) {
		return 1 // a degenerate variance: no evidence
	}
	return p
}

// compareRatio compares a pooled proportion: of gives a run's hits and
// misses (summed as floats: two counters near 2⁶³ must not wrap).
func compareRatio(name string, higherIsWorse bool, opts CompareOptions, baseline, current []*Run, of func(*Run) (int64, int64)) Delta {
	pool := func(runs []*Run) (float64, float64) {
		var h, n float64
		for _, r := range runs {
			hits, misses := of(r)
			h, n = h+float64(hits), n+float64(hits)+float64(misses)
		}
		return h, n
	}
	hb, nb := pool(baseline)
	hc, nc := pool(current)
	d := Delta{Name: name, P: 1, Verdict: NoChange}
	if nb == 0 && nc == 0 {
		return d // nothing happened on either side: no change to speak of
	}
	if nb > 0 {
		d.Baseline = hb / nb
	}
	if nc > 0 {
		d.Current = hc / nc
	}
	if nb == 0 || nc == 0 {
		d.Verdict, d.Note = NotJudged, noneOn("trials", nb, nc)
		return d
	}
	d.Change = d.Current - d.Baseline
	se := math.Sqrt(d.Baseline*(1-d.Baseline)/nb + d.Current*(1-d.Current)/nc)
	d.Low, d.High = d.Change-1.96*se, d.Change+1.96*se
	pooled := (hb + hc) / (nb + nc)
	if sp := math.Sqrt(pooled * (1 - pooled) * (1/nb + 1/nc)); sp > 0 {
		z := d.Change / sp
		if d.Change < 0 {
			z = -z
		}
		d.P = 1 - distuv.UnitNormal.CDF(z)
	}
	counts := math.Abs(d.Change) >= opts.MinRatioEffect
	d.Worse = counts && (d.Change > 0) == higherIsWorse
	switch {
	case !counts:
		d.Verdict = NoChange
	case !canReach(nb, nc, opts.Alpha):
		d.Verdict, d.Note = NotJudged, tooFew("trials", nb, nc, opts.Alpha)
	default:
		d.Verdict = judge(d.Change, d.Low, d.High, d.P, opts.MinRatioEffect, opts.Alpha, higherIsWorse)
	}
	return d
}
