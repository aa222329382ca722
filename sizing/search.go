package sizing

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// verifyChunk is how many verification days run between tallies: enough
// to keep every core busy, few enough to bound the runs held in memory.
const verifyChunk = 16

// searcher finds where verification should start: the smallest value whose
// search days (the same days for every value: common random numbers) meet
// every SLO at the share that certifies the target, assuming more buffer
// never hurts — gallop up from a failing value, then bisect.
type searcher struct {
	d         *dayRunner
	rule      dayRule
	days      int
	base      uint64
	simulated int
}

// passes simulates v's search days, stopping at the first chunk whose
// failures already rule the value out.
func (s *searcher) passes(v int) (*trial, bool, error) {
	c, err := s.d.newTrial(v, s.base)
	if err != nil {
		return nil, false, err
	}
	before := s.d.simulated
	err = s.d.extend(c, s.days, s.d.workers, func(c *trial) bool { return s.rule.searchFailed(c.days-c.met, s.days) })
	s.simulated += s.d.simulated - before
	if err != nil {
		return nil, false, err
	}
	ok := c.days == s.days && s.rule.searchPasses(c.met, c.days)
	s.d.log("sizing search", v, fmt.Sprintf("%d/%d days met", c.met, c.days), ok)
	return c, ok, nil
}

// search returns where to start verifying, or a Verified that says why
// no value can be found (StoppedAt set).
func (s *searcher) search(configured, limit int) (int, results.Verified, error) {
	lo, hi := -1, configured // lo fails, hi passes
	c, ok, err := s.passes(configured)
	if err != nil {
		return 0, results.Verified{}, err
	}
	if !ok {
		if configured >= limit {
			return 0, stopped(c, configured, "the policy's max"), nil
		}
		lo, hi = configured, min(max(2*configured, 8), limit)
		for {
			if c, ok, err = s.passes(hi); err != nil {
				return 0, results.Verified{}, err
			}
			if ok {
				break
			}
			switch {
			case c.busy == 0:
				return 0, stopped(c, hi, "no match waited for a server: more buffer cannot help"), nil
			case hi >= limit:
				return 0, stopped(c, hi, "the policy's max (or the search cap)"), nil
			}
			lo, hi = hi, min(2*hi, limit)
		}
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if _, ok, err = s.passes(mid); err != nil {
			return 0, results.Verified{}, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, results.Verified{}, nil
}

func stopped(c *trial, at int, why string) results.Verified {
	return results.Verified{Failing: c.failing(), StoppedAt: at, Reason: why}
}

// verifier judges values on the verification days under the day rule,
// remembering every value it judged.
type verifier struct {
	d    *dayRunner
	rule dayRule
	base uint64
	seen map[int]*trial
	// charted is the value whose pooled run is shown (the configured one).
	charted int
}

// judge adds v's days look by look until the rule decides or the budget
// is spent.
func (v *verifier) judge(value int) (*trial, error) {
	if c, ok := v.seen[value]; ok {
		return c, nil
	}
	c, err := v.d.newTrial(value, v.base)
	if err != nil {
		return nil, err
	}
	c.pool, c.charts = &results.Pool{}, value == v.charted
	decision, err := v.rule.sequential(func(to int) (int, int, error) {
		err := v.d.extend(c, to, verifyChunk, nil)
		return c.met, c.days, err
	})
	if err != nil {
		return nil, err
	}
	v.d.log("sizing verification", value, fmt.Sprintf("%d/%d days met", c.met, c.days), decision == results.Meets)
	v.seen[value] = c
	return c, nil
}

func (v *verifier) meets(value int) (bool, error) {
	c, err := v.judge(value)
	if err != nil {
		return false, err
	}
	return v.rule.decide(c.met, c.days) == results.Meets, nil
}

// walk moves from the search's answer to the smallest value the
// verification days show to meet the target: down while the value below
// meets too, else up (galloping, then bisecting).
func (v *verifier) walk(start, limit int) (results.Verified, error) {
	ok, err := v.meets(start)
	if err != nil {
		return results.Verified{}, err
	}
	if ok {
		a := start
		for a > 0 {
			if ok, err = v.meets(a - 1); err != nil || !ok {
				break
			}
			a--
		}
		return results.Verified{Found: true, Min: a}, err
	}
	lo, hi := start, start
	for step := 1; ; step *= 2 {
		if lo >= limit {
			c := v.seen[lo]
			return stopped(c, lo, fmt.Sprintf("no value up to it was shown to meet the target within %d days", v.rule.budget())), nil
		}
		hi = min(lo+step, limit)
		if ok, err = v.meets(hi); err != nil {
			return results.Verified{}, err
		}
		if ok {
			break
		}
		lo = hi
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if ok, err = v.meets(mid); err != nil {
			return results.Verified{}, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return results.Verified{Found: true, Min: hi}, nil
}

// report fills the answer's days, the value below it and the answer's
// simulated cost.
func (v *verifier) report(r results.Verified, sc *scenarios.Scenario) (results.Verified, error) {
	c, err := v.judge(r.Min)
	if err != nil {
		return r, err
	}
	days := c.share(v.rule)
	r.Days = &days
	if r.Min > 0 {
		below, err := v.judge(r.Min - 1)
		if err != nil {
			return r, err
		}
		b := below.share(v.rule)
		r.Below = &b
	}
	pooled := c.pooled()
	r.Cost = dayCost(pooled, sc)
	r.TimeToRoomP99 = pooled.Metrics[results.TimeToRoom].P99
	if m := pooled.Counters[results.Matches]; m > 0 {
		r.FailureShare = round4(float64(pooled.Counters[results.AllocationFailures]) / float64(m))
	}
	return r, nil
}

// dayCost is a value's cost per day from its days pooled (their mean).
func dayCost(pooled *results.Run, sc *scenarios.Scenario) results.SizingCost {
	idle := pooled.Cost.IdleServerSeconds / 3600
	return results.SizingCost{IdleServerHours: idle, FleetMoney: pooled.Cost.Money, Simulated: true,
		Money: math.Round(idle*serverHourPrice(sc)*100) / 100}
}

// day runs value's first verification day with everything charts read:
// the report draws it beside another value's day on the same seed.
func (v *verifier) day(value int) (*results.Run, error) {
	c, err := v.d.newTrial(value, v.base)
	if err != nil {
		return nil, err
	}
	sc := withSeed(c.sc, v.base)
	runs, err := v.d.run([]sim.Job{{Scenario: sc}})
	if err != nil {
		return nil, err
	}
	return summarized(runs[0], sc), nil
}

// summarized readies a day run by the day runner (raw) for the report.
func summarized(r *results.Run, sc *scenarios.Scenario) *results.Run {
	r.Summarize()
	r.Meta.ScenarioHash = sc.Hash()
	r.Verdicts = results.Judge(r, sc.SLO)
	return r
}

// judged lists every value verified, by value.
func (v *verifier) judged() []results.DayShare {
	values := slices.Sorted(maps.Keys(v.seen))
	out := make([]results.DayShare, len(values))
	for i, value := range values {
		out[i] = v.seen[value].share(v.rule)
	}
	return out
}

// log reports one trial at Info level when a logger is set.
func (d *dayRunner) log(what string, value int, days string, ok bool) {
	if d.opts.Logger != nil {
		d.opts.Logger.InfoContext(d.ctx, what, "knob", d.knob, "value", value, "days", days, "pass", ok)
	}
}
