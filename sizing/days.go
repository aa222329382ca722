package sizing

import (
	"context"
	"fmt"
	"runtime"
	"strconv"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// Seed families: each phase simulates days of its own. The search picks
// where to start on its days, the verification walks to an answer on
// others, and the answer is then judged once more on days that chose
// nothing (the check's confirmation, and the plan's own for a schedule
// repaired on the verification days): only those can say how often the
// answer meets the target. Day i of family k has seed seed + k·2³² + i.
const (
	searchFamily = iota
	verifyFamily
	confirmFamily
	planConfirmFamily
)

// familySeed is day 0 of family k.
func familySeed(seed uint64, k int) uint64 { return seed + uint64(k)<<32 }

// trial is one value of the sized knob judged day by day on one seed
// family: each day is one replication, judged against every SLO by itself.
type trial struct {
	value int
	// charts keeps what only charts read (see sim.Job.JudgeOnly).
	charts bool
	sc     *scenarios.Scenario
	base   uint64 // seed of day 0
	days   int
	met    int   // days that met every SLO
	slos   []int // days that met each SLO, in verdict order
	names  []string
	limit  []float64
	// busy counts allocation waits and failures: with none, every match
	// found a Ready server at once and more buffer cannot change anything.
	busy int64
	// pool holds the days pooled when the trial is reported (nil in
	// the search, whose days are only counted); run is the pool's result.
	pool *results.Pool
	run  *results.Run
	// inspect, when set, sees each day's run once it is judged.
	inspect func(*results.Run)
}

// dayRunner simulates candidates' days in parallel, in chunks whose
// results are tallied in day order, so the outcome never depends on
// scheduling and memory holds one chunk of runs at a time.
type dayRunner struct {
	ctx       context.Context
	doc       []byte
	dir       string
	knob      string
	workers   int
	opts      sim.Options
	simulated int      // days simulated so far, every trial included
	day       sim.Work // one day's estimated work, metered against opts.Budget
}

func newDayRunner(ctx context.Context, doc []byte, dir, knob string, workers int, opts sim.Options) *dayRunner {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &dayRunner{ctx: ctx, doc: doc, dir: dir, knob: knob, workers: workers, opts: opts}
}

// newTrial returns value v's scenario on the family whose day 0 has seed base.
func (d *dayRunner) newTrial(v int, base uint64) (*trial, error) {
	sc, err := scenarios.ParseWith(d.doc, d.dir, []scenarios.Override{{Path: d.knob, Value: strconv.Itoa(v)}})
	if err != nil {
		return nil, err
	}
	return &trial{value: v, sc: sc, base: base}, nil
}

// extend simulates c's days up to day to (exclusive), chunk days at a
// time, stopping after a chunk when stop says so.
func (d *dayRunner) extend(c *trial, to, chunk int, stop func(*trial) bool) error {
	for c.days < to {
		n := min(chunk, to-c.days)
		if b := d.opts.Budget; b != nil {
			if err := b.Check(d.day.Times(d.simulated + n)); err != nil {
				return fmt.Errorf("check, after %d days simulated: %w", d.simulated, err)
			}
		}
		jobs := make([]sim.Job, n)
		for i := range jobs {
			s := *c.sc
			s.Seed = c.base + uint64(c.days+i)
			jobs[i] = sim.Job{Scenario: &s, JudgeOnly: !c.charts}
		}
		runs, err := d.run(jobs)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if err := c.tally(r); err != nil {
				return err
			}
		}
		d.simulated += n
		if stop != nil && stop(c) {
			return nil
		}
	}
	return nil
}

// run runs one chunk's days here, or where sim.Options.RunJobs sends them.
func (d *dayRunner) run(jobs []sim.Job) ([]*results.Run, error) {
	if d.opts.RunJobs != nil {
		return d.opts.RunJobs(d.ctx, jobs)
	}
	return sim.RunAll(d.ctx, jobs, d.workers, d.opts)
}

// tally judges one day and pools it.
func (c *trial) tally(r *results.Run) error {
	r.Summarize()
	verdicts := results.Judge(r, c.sc.SLO)
	if c.slos == nil {
		c.slos = make([]int, len(verdicts))
		for _, v := range verdicts {
			c.names = append(c.names, v.SLO)
			c.limit = append(c.limit, v.Limit)
		}
	}
	all := true
	for i, v := range verdicts {
		if v.Pass {
			c.slos[i]++
		} else {
			all = false
		}
	}
	c.days++
	if all {
		c.met++
	}
	c.busy += r.Counters[results.AllocationWaits] + r.Counters[results.AllocationFailures]
	if c.inspect != nil {
		c.inspect(r)
	}
	if c.pool == nil {
		return nil
	}
	return c.pool.Add(r)
}

// pooled returns the trial's days pooled into one run, judged as a
// whole for display. Call it once the trial has all its days.
func (c *trial) pooled() *results.Run {
	if c.run == nil && c.pool != nil && c.pool.Len() > 0 {
		c.run = c.pool.Run()
		c.run.Meta.Seed = c.base
		c.run.Meta.ScenarioHash = c.sc.Hash()
		c.run.Verdicts = results.Judge(c.run, c.sc.SLO)
	}
	return c.run
}

// share reports the trial under the rule, with each SLO's value
// pooled over its days when they were kept.
func (c *trial) share(r dayRule) results.DayShare {
	pooled := c.pooled()
	s := results.DayShare{Value: c.value, Days: c.days, Met: c.met, Decision: r.decide(c.met, c.days)}
	lo, hi := r.interval(c.met, c.days)
	s.Low, s.High = round4(lo), round4(hi)
	if c.days > 0 {
		s.Share = round4(float64(c.met) / float64(c.days))
	}
	for i, name := range c.names {
		sd := results.SLODays{SLO: name, Limit: c.limit[i], Met: c.slos[i]}
		if pooled != nil && i < len(pooled.Verdicts) {
			sd.Pooled = pooled.Verdicts[i].Value
		}
		s.SLOs = append(s.SLOs, sd)
	}
	return s
}

// failing lists the SLOs missed on at least one of the trial's days.
func (c *trial) failing() []string {
	var out []string
	for i, name := range c.names {
		if c.slos[i] < c.days {
			out = append(out, name)
		}
	}
	return out
}
