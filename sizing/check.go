// Package sizing is the sizing-rule check and the plan search over the
// model's days: Check answers "is my buffer big enough?" by the node-size
// rule, the analytic minimum and the minimum the simulated days verify,
// each judged by the share of days meeting every SLO (the day rule), with
// a seed family each for the search, the verification walk and its
// confirmation; ComparePolicies sizes the scenario's policy variants the
// same way; Plan finds a buffer schedule and repairs it on simulated days.
// The days themselves are package sim's runs (sim.RunAll, or
// sim.Options.RunJobs on a cluster): this package decides which days to
// run and what they show, never what a day is.
package sizing

import (
	"context"
	"fmt"
	"math"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// searchCap bounds the buffer sizes the sizing search tries.
const searchCap = 1 << 16

// CheckOptions tune the sizing check; start from DefaultCheckOptions.
type CheckOptions struct {
	// Target is the share of days that must meet every SLO.
	Target float64
	// Days is the first look of the day rule, MaxDays its budget per value.
	Days, MaxDays int
	// SearchDays is the number of search days per trial.
	SearchDays int
	// Workers run days in parallel (0 = GOMAXPROCS).
	Workers int
	sim.Options
}

// Validate refuses a target outside (0, 1) and a budget too small to
// decide it, saying what would; call it before any work.
func (o CheckOptions) Validate() error {
	_, err := o.rule()
	return err
}

func (o CheckOptions) rule() (dayRule, error) {
	if o.SearchDays < 1 || o.SearchDays > maxDaysCap {
		return dayRule{}, fmt.Errorf("--search-days %d: must be between 1 and %d", o.SearchDays, maxDaysCap)
	}
	return newDayRule(o.Target, o.Days, o.MaxDays)
}

// DefaultCheckOptions are the check's defaults: a target of 0.95, looks
// at 30, 60 and 100 days, 20 search days per trial.
func DefaultCheckOptions() CheckOptions {
	return CheckOptions{Target: 0.95, Days: 30, MaxDays: 100, SearchDays: 20}
}

// knob finds the integer field a sizing search can vary, and the largest
// value the policy's own max allows.
func knob(sc *scenarios.Scenario) (name string, value, limit int, err error) {
	p := sc.Fleet.Policy
	limit = searchCap
	switch {
	case p.MinAvailable != nil && p.MinAvailable.Count != nil:
		if p.MinAvailable.Max > 0 {
			limit = p.MinAvailable.Max
		}
		return "fleet.policy.minAvailable.count", *p.MinAvailable.Count, limit, nil
	case p.Buffer != nil && p.Buffer.Size != nil:
		if p.Buffer.Max > 0 {
			limit = p.Buffer.Max
		}
		return "fleet.policy.buffer.size", *p.Buffer.Size, limit, nil
	}
	return "", 0, 0, fmt.Errorf("sim check sizes a count (minAvailable.count or buffer.size); this fleet uses a fraction or percent")
}

// prepare is the day rule and one day's work, refusing before any run a
// command whose one value judged to --max-days is already past the
// budget (the days after are metered as they come: dayRunner).
func (o CheckOptions) prepare(sc *scenarios.Scenario, command string) (dayRule, sim.Work, error) {
	rule, err := o.rule()
	if err != nil {
		return dayRule{}, sim.Work{}, fmt.Errorf("%w: %w", sim.ErrBadInput, err)
	}
	day := sim.Estimate(sc)
	if o.Budget != nil {
		if err := o.Budget.Check(day.Times(o.MaxDays)); err != nil {
			return dayRule{}, sim.Work{}, fmt.Errorf("%s: %w", command, err)
		}
	}
	return rule, day, nil
}

// sized parses a scenario whose buffer a count sizes, with the knob's
// field, configured value and cap; both failures are bad input.
func sized(doc []byte, dir string) (sc *scenarios.Scenario, name string, configured, limit int, err error) {
	if sc, err = scenarios.Parse(doc, dir); err != nil {
		return nil, "", 0, 0, fmt.Errorf("%w: %w", sim.ErrBadInput, err)
	}
	if name, configured, limit, err = knob(sc); err != nil {
		return nil, "", 0, 0, fmt.Errorf("%w: %w", sim.ErrBadInput, err)
	}
	return sc, name, configured, limit, nil
}

// Check answers "is my buffer big enough?" three ways — the node-size
// rule, the analytic minimum and the DES-verified minimum — and judges the
// configured value and each answer by the share of simulated days that
// meet every SLO (see dayRule). The search for the DES minimum runs on its
// own days; its answer is then verified, and moved, on other days, and
// confirmed on a third family that chose nothing (see confirm).
func Check(ctx context.Context, doc []byte, dir string, o CheckOptions) (*results.Sizing, error) {
	sc, name, configured, limit, err := sized(doc, dir)
	if err != nil {
		return nil, err
	}
	rule, day, err := o.prepare(sc, "check")
	if err != nil {
		return nil, err
	}
	rep := &results.Sizing{Scenario: sc.Name, Knob: name, Configured: configured, Rule: rule.describe()}
	rep.Rule.SearchDaysPerTrial = o.SearchDays
	rep.Rule.SearchSeeds = fmt.Sprintf("%d…%d", sc.Seed, sc.Seed+uint64(o.SearchDays)-1)
	rep.Rule.VerifySeeds = fmt.Sprintf("%d…", familySeed(sc.Seed, verifyFamily))
	rep.Rule.ConfirmSeeds = fmt.Sprintf("%d…", familySeed(sc.Seed, confirmFamily))
	rep.Analytic = analytic(sc)
	rep.NodeRule = nodeRule(sc, configured, rep.Analytic.PeakRate)
	rep.Analytic.Cost = estimateCost(sc, rep.Analytic.Min)
	rep.NodeRule.Cost = estimateCost(sc, rep.NodeRule.Recommended)

	d := newDayRunner(ctx, doc, dir, name, o.Workers, o.Options)
	d.day = day
	v := &verifier{d: d, rule: rule, base: familySeed(sc.Seed, verifyFamily), seen: map[int]*trial{}, charted: configured}
	conf, err := v.judge(configured)
	if err != nil {
		return nil, err
	}
	rep.ConfiguredDays, rep.ConfiguredRun = conf.share(rule), conf.pooled()
	rep.Pass = rep.ConfiguredDays.Decision == results.Meets

	s := &searcher{d: d, rule: rule, days: o.SearchDays, base: sc.Seed}
	start, verified, err := s.search(configured, limit)
	if err != nil {
		return nil, err
	}
	if verified.StoppedAt == 0 && !verified.Found {
		if verified, err = v.walk(start, limit); err != nil {
			return nil, err
		}
	}
	if verified.Found {
		cf := &verifier{d: d, rule: rule, base: familySeed(sc.Seed, confirmFamily), seen: map[int]*trial{}}
		before := d.simulated
		if verified, err = cf.confirm(verified, sc); err != nil {
			return nil, err
		}
		rep.ConfirmDays = d.simulated - before
	}
	rep.Verified = verified
	if err := v.judgeRules(rep, limit); err != nil {
		return nil, err
	}
	rep.ConfiguredCost = dayCost(conf.pooled(), sc)
	if verified.Found {
		rep.Recommended = verified.Min
		if rep.ConfiguredDay, err = v.day(configured); err != nil {
			return nil, err
		}
		if rep.RecommendedDay, err = v.day(verified.Min); err != nil {
			return nil, err
		}
	}
	rep.Judged = v.judged()
	rep.SearchDays, rep.VerifyDays = s.simulated, d.simulated-s.simulated-rep.ConfirmDays
	return rep, nil
}

// judgeRules judges the values of (a) and (b) the same way as (c), so a
// user sees which rule is safe and which is cheap.
func (v *verifier) judgeRules(rep *results.Sizing, limit int) error {
	share := func(value int) (*results.DayShare, error) {
		if value < 0 || value > limit {
			return nil, nil
		}
		c, err := v.judge(value)
		if err != nil {
			return nil, err
		}
		s := c.share(v.rule)
		return &s, nil
	}
	var err error
	if rep.NodeRule.Applies {
		if rep.NodeRule.Days, err = share(rep.NodeRule.Recommended); err != nil {
			return err
		}
	}
	if rep.Analytic.Min >= 0 {
		if rep.Analytic.MinDays, err = share(rep.Analytic.Min); err != nil {
			return err
		}
		if rep.Analytic.MinWithNodeDays, err = share(rep.Analytic.MinWithNode); err != nil {
			return err
		}
	}
	return nil
}

// estimateCost prices s servers held idle for the whole scenario.
func estimateCost(sc *scenarios.Scenario, s int) results.SizingCost {
	hours := float64(s) * sc.Duration.Hours()
	return results.SizingCost{IdleServerHours: hours, Money: math.Round(hours*serverHourPrice(sc)*100) / 100}
}

// serverHourPrice is a server's share of a node-hour.
func serverHourPrice(sc *scenarios.Scenario) float64 {
	if sc.Nodes.PodsPerNode > 0 {
		return sc.Nodes.HourlyCost / float64(sc.Nodes.PodsPerNode)
	}
	return sc.Nodes.HourlyCost
}
