package sizing

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// planner repairs a schedule against simulated days.
type planner struct {
	d          *dayRunner
	sc         *scenarios.Scenario
	p          *results.Plan
	limit      int
	step       float64 // seconds
	searchDays int
	// confirmDays are the schedule's confirmation days.
	confirmDays int
	blamed      map[int]bool // steps ever raised: the trim leaves them
	// ceiling is the sizing check's constant minimum: a raise stops there
	// first (a constant that meets the target everywhere is enough at any
	// hour) and goes past it only for a step already at it.
	ceiling int
}

// trial is the current schedule on the days from base, noting the steps
// where players suffered on each day that missed an SLO.
func (pl *planner) trial(base uint64, bad map[int]bool, unfixable map[string]bool) *trial {
	sc := Scheduled(pl.sc, pl.p.Steps)
	c := &trial{value: -1, sc: sc, base: base, charts: true}
	c.inspect = func(r *results.Run) { pl.blame(r, results.Judge(r, sc.SLO), bad, unfixable) }
	return c
}

// repairOnSearchDays raises the steps where search days fail until every
// search day meets every SLO (Found), or says why it cannot (Reason).
func (pl *planner) repairOnSearchDays(days int, rule dayRule) error {
	for round := 0; ; round++ {
		bad, unfixable := map[int]bool{}, map[string]bool{}
		c := pl.trial(pl.sc.Seed, bad, unfixable)
		before := pl.d.simulated
		err := pl.d.extend(c, days, pl.d.workers, nil)
		pl.searchDays += pl.d.simulated - before
		if err != nil {
			return err
		}
		pl.d.log("plan search", round, fmt.Sprintf("%d/%d days met", c.met, c.days), rule.searchPasses(c.met, c.days))
		if rule.searchPasses(c.met, c.days) {
			pl.p.Found = true
			return nil
		}
		if why := pl.raise(bad, unfixable, round, maxSearchRepairs); why != "" {
			pl.p.Reason = why + fmt.Sprintf(" (search days: %d of %d met)", c.met, c.days)
			return nil
		}
	}
}

// verify judges the schedule on the verification days by the day rule,
// repairing it while it does not meet the target.
func (pl *planner) verify(rule dayRule) error {
	for round := 0; ; round++ {
		bad, unfixable := map[int]bool{}, map[string]bool{}
		c := pl.trial(familySeed(pl.sc.Seed, verifyFamily), bad, unfixable)
		c.pool = &results.Pool{}
		decision, err := rule.sequential(func(to int) (int, int, error) {
			err := pl.d.extend(c, to, verifyChunk, nil)
			return c.met, c.days, err
		})
		if err != nil {
			return err
		}
		pl.d.log("plan verification", round, fmt.Sprintf("%d/%d days met", c.met, c.days), decision == results.Meets)
		if decision == results.Meets {
			return pl.confirm(rule)
		}
		if why := pl.raise(bad, unfixable, round, maxVerifyRepairs); why != "" {
			pl.p.Found = false
			pl.p.Reason = why + fmt.Sprintf(" (verification: %d of %d days met, %s)", c.met, c.days, decision)
			return nil
		}
	}
}

// confirm judges the schedule once more on days that chose nothing: the
// verification days may have repaired it, and the ceiling it rests on is
// the sizing check's answer, walked to on those same days. Only the
// confirmation's share, cost and day are reported.
func (pl *planner) confirm(rule dayRule) error {
	c := pl.trial(familySeed(pl.sc.Seed, planConfirmFamily), map[int]bool{}, map[string]bool{})
	c.pool = &results.Pool{}
	before := pl.d.simulated
	decision, err := rule.sequential(func(to int) (int, int, error) {
		err := pl.d.extend(c, to, verifyChunk, nil)
		return c.met, c.days, err
	})
	pl.confirmDays += pl.d.simulated - before
	if err != nil {
		return err
	}
	pl.d.log("plan confirmation", 0, fmt.Sprintf("%d/%d days met", c.met, c.days), decision == results.Meets)
	share := c.share(rule)
	pl.p.Days, pl.p.Cost = &share, dayCost(c.pooled(), pl.sc)
	if decision != results.Meets {
		pl.p.Found = false
		pl.p.Reason = fmt.Sprintf("the schedule met the target on the verification days (after %d repairs) but is %s on the confirmation days (%d of %d met every SLO)",
			pl.p.Repairs, decision, c.met, c.days)
		return nil
	}
	runs, err := pl.d.run([]sim.Job{{Scenario: withSeed(c.sc, c.base)}})
	if err != nil {
		return err
	}
	pl.p.Day = summarized(runs[0], c.sc)
	return nil
}

// trimRounds is how many bisection steps the trim takes.
const trimRounds = 3

// trim scales the steps never raised down by a common factor, bisected
// in [0.4, 1], keeping the lowest that every search day still passes:
// the formula sizes a step at its window's peak with a conservative
// bound, often above what the simulated days need.
func (pl *planner) trim(days int, rule dayRule) error {
	base := append([]results.PlanStep(nil), pl.p.Steps...)
	lo, hi := 0.4, 1.0
	for range trimRounds {
		f := (lo + hi) / 2
		for k := range pl.p.Steps {
			if !pl.blamed[k] {
				pl.p.Steps[k].Count = int(math.Ceil(f * float64(base[k].Count)))
			}
		}
		c := pl.trial(pl.sc.Seed, map[int]bool{}, map[string]bool{})
		before := pl.d.simulated
		err := pl.d.extend(c, days, pl.d.workers, func(c *trial) bool { return rule.searchFailed(c.days-c.met, days) })
		pl.searchDays += pl.d.simulated - before
		if err != nil {
			return err
		}
		ok := c.days == days && rule.searchPasses(c.met, c.days)
		pl.d.log("plan trim", int(f*100), fmt.Sprintf("%d/%d days met", c.met, c.days), ok)
		if ok {
			hi = f
		} else {
			lo = f
		}
	}
	for k := range pl.p.Steps {
		if !pl.blamed[k] {
			pl.p.Steps[k].Count = int(math.Ceil(hi * float64(base[k].Count)))
		}
	}
	return nil
}

func withSeed(sc *scenarios.Scenario, seed uint64) *scenarios.Scenario {
	c := *sc
	c.Seed = seed
	return &c
}

// raise adds 10% (at least one) to every blamed step; it returns why it
// cannot go on, or "".
func (pl *planner) raise(bad map[int]bool, unfixable map[string]bool, round, rounds int) string {
	switch {
	case len(unfixable) > 0:
		return fmt.Sprintf("%s missed whatever the buffer", strings.Join(sortedKeys(unfixable), ", "))
	case round >= rounds:
		return fmt.Sprintf("still missing SLOs after %d repairs", rounds)
	}
	raised := false
	for k := range bad {
		st := &pl.p.Steps[k]
		if st.Count < pl.limit {
			top := pl.limit
			if st.Count < pl.ceiling {
				top = pl.ceiling
			}
			st.Count = min(top, st.Count+max(1, int(math.Ceil(0.2*float64(st.Count)))))
			raised, pl.blamed[k] = true, true
		}
	}
	if !raised {
		return fmt.Sprintf("the steps that fail are at the policy's max (%d)", pl.limit)
	}
	pl.p.Repairs++
	return ""
}

// blame notes, for a day that missed an SLO, the steps where players
// waited past a time-to-room limit or allocations failed (and the step
// before, for suffering within the lead of a step's start). An SLO the
// buffer cannot move (autoscale lag, state recovery) is unfixable.
func (pl *planner) blame(r *results.Run, verdicts []results.Verdict, bad map[int]bool, unfixable map[string]bool) {
	step := r.Series.Step.Seconds()
	p50, p99 := r.Series.Values[results.SeriesTimeToRoomP50], r.Series.Values[results.SeriesTimeToRoomP99]
	fails, waiting := r.Series.Values[results.SeriesFailures], r.Series.Values[results.SeriesWaitingMatch]
	// A minute is the buffer's fault only if matches waited for a room or
	// failed in it: in a quiet hour players wait to fill a match, which no
	// buffer shortens.
	short := func(i int) bool { return i < len(waiting) && waiting[i] > 0 || i < len(fails) && fails[i] > 0 }
	blamed, failed := false, false
	mark := func(i int) {
		if !short(i) {
			return
		}
		t := float64(i) * step
		k := min(int(t/pl.step), len(pl.p.Steps)-1)
		bad[k], blamed = true, true
		if k > 0 && t-float64(k)*pl.step < pl.p.LeadSeconds {
			bad[k-1] = true
		}
	}
	for _, v := range verdicts {
		if v.Pass {
			continue
		}
		failed = true
		switch {
		case v.SLO == "timeToRoom.p50":
			over(p50, v.Limit, mark)
		case strings.HasPrefix(v.SLO, "timeToRoom."):
			over(p99, v.Limit, mark)
		case v.SLO == "allocationFailures.max":
			over(fails, 0, mark)
		default:
			unfixable[v.SLO] = true
		}
	}
	if failed && !blamed && len(unfixable) == 0 {
		// The day's percentile is over its limit with no minute over it:
		// blame the worst minute where matches waited for rooms.
		worst := -1
		for i, v := range p99 {
			if short(i) && (worst < 0 || v > p99[worst]) {
				worst = i
			}
		}
		if worst >= 0 {
			mark(worst)
		}
	}
}

// over calls mark for every point of series above limit.
func over(series []float64, limit float64, mark func(int)) {
	for i, v := range series {
		if v > limit {
			mark(i)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m))
}
