package sizing

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// PlanOptions tune `sim plan`; start from DefaultPlanOptions.
type PlanOptions struct {
	// Step is the schedule's step: one count per step.
	Step time.Duration
	CheckOptions
}

// DefaultPlanOptions plan per hour under the sizing check's day rule.
func DefaultPlanOptions() PlanOptions {
	return PlanOptions{Step: time.Hour, CheckOptions: DefaultCheckOptions()}
}

// Repair bounds: rounds on the search days, then on the verification days.
const (
	maxSearchRepairs = 40
	maxVerifyRepairs = 4
)

// planMethod is the method, as the plan states it.
const planMethod = "each step sized by the analytic formula at the peak arrival rate over the step and the lead after it " +
	"(the count must rise before demand does), at most the sizing check's constant minimum; the whole schedule then " +
	"simulated on the search days, and every step where matches waited for rooms while players waited past a time-to-room " +
	"limit, or allocations failed (and the step before, for the first lead of a step), raised by 20% until every search day " +
	"meets every SLO; the steps never raised then scaled down together (bisection on a common factor) while every search " +
	"day still meets every SLO; then judged day by day on the verification seeds under the sizing check's rule, repaired " +
	"again while it does not meet the target; and finally judged on confirmation seeds that chose nothing, whose share is the one reported"

// Plan finds a piecewise-constant buffer (one count per step) that meets
// every SLO on the target share of days, and compares its cost with the
// sizing check's constant answer and the configured value.
func Plan(ctx context.Context, doc []byte, dir string, o PlanOptions) (*results.Plan, error) {
	sc, name, configured, limit, err := sized(doc, dir)
	if err != nil {
		return nil, err
	}
	if err := checkStep(sc, o.Step); err != nil {
		return nil, err
	}
	rule, day, err := o.prepare(sc, "plan")
	if err != nil {
		return nil, err
	}
	p := &results.Plan{Scenario: sc.Name, Knob: name, Step: o.Step.String(), LeadSeconds: planLead(sc), Method: planMethod}
	// The constant answers first: the sizing check's (c) bounds every step
	// (a constant that meets the target everywhere is enough at any hour),
	// and the configured value is what the plan is read against.
	rep, err := Check(ctx, doc, dir, o.CheckOptions)
	if err != nil {
		return nil, err
	}
	p.Constant = results.PlanConstant{Value: rep.Verified.Min, Found: rep.Verified.Found, Days: rep.Verified.Days, Cost: rep.Verified.Cost}
	p.Configured = results.PlanConstant{Value: configured, Found: true, Days: &rep.ConfiguredDays, Cost: rep.ConfiguredCost}
	ceiling := limit
	if rep.Verified.Found {
		ceiling = rep.Verified.Min
	}
	p.Steps = planSteps(sc, o.Step, p.LeadSeconds, ceiling)
	d := newDayRunner(ctx, doc, dir, name, o.Workers, o.Options)
	d.day = day
	pl := &planner{d: d, sc: sc, p: p, limit: limit, ceiling: ceiling, step: o.Step.Seconds(), blamed: map[int]bool{}}
	if err := pl.repairOnSearchDays(o.SearchDays, rule); err != nil {
		return nil, err
	}
	if p.Found {
		if err := pl.trim(o.SearchDays, rule); err != nil {
			return nil, err
		}
		if err := pl.verify(rule); err != nil {
			return nil, err
		}
	}
	p.SearchDays = rep.SearchDays + pl.searchDays
	p.VerifyDays = rep.VerifyDays + d.simulated - pl.searchDays - pl.confirmDays
	p.ConfirmDays = rep.ConfirmDays + pl.confirmDays
	return p, nil
}

// checkStep refuses a step shorter than the controller's sync (a count
// it could not follow) or longer than the scenario (no schedule at all).
func checkStep(sc *scenarios.Scenario, step time.Duration) error {
	switch sync := sc.Fleet.Tick(); {
	case step <= 0 || step > sc.Duration.Duration:
		return fmt.Errorf("%w: --step %s: must be positive and at most the scenario's duration (%s)", sim.ErrBadInput, step, sc.Duration)
	case step < sync:
		return fmt.Errorf("%w: --step %s: shorter than fleet.syncInterval (%s), which could not follow it", sim.ErrBadInput, step, sc.Fleet.SyncInterval)
	case sc.Duration.Duration/step > 10_000:
		return fmt.Errorf("%w: --step %s: more than 10,000 steps in %s", sim.ErrBadInput, step, sc.Duration)
	}
	return nil
}

// planLead is how long a raised count takes to show as Ready rooms: the
// controller's sync, a node's lead when rooms wait for nodes, and pod
// startup.
func planLead(sc *scenarios.Scenario) float64 {
	lead := sc.Fleet.Tick().Seconds() + sc.Fleet.PodStartup.Sampler().Mean()
	if sc.Nodes.PodsPerNode > 0 {
		lead += scenarios.BatchIdle + sc.Nodes.ProvisionDelay.Sampler().Mean() + sc.Nodes.BootTime.Sampler().Mean()
	}
	return lead
}

// planSteps sizes each step by the formula at the peak arrival rate over
// the step and the lead after it, at most ceiling.
func planSteps(sc *scenarios.Scenario, step time.Duration, lead float64, ceiling int) []results.PlanStep {
	curve, end, s := sc.Curve(), sc.Duration.Seconds(), step.Seconds()
	var out []results.PlanStep
	for at := 0.0; at < end; at += s {
		from, to := at, math.Min(end, at+s+lead)
		peak := 0.0
		for k := 0; k <= 600; k++ {
			peak = math.Max(peak, curve.Rate(math.Min(from+(to-from)*float64(k)/600, math.Nextafter(end, 0))))
		}
		a := analyticAt(sc, peak, true)
		if a.Min < 0 {
			a = analyticAt(sc, peak, false)
		}
		n := a.Min
		if n < 0 || n > ceiling {
			n = ceiling
		}
		out = append(out, results.PlanStep{AtSeconds: at, At: time.Duration(at * float64(time.Second)).String(),
			PeakRate: round4(peak), Analytic: a.Min, Count: n})
	}
	return out
}

// Scheduled is sc with the plan's counts: the first as the policy's own
// count, the rest as schedule steps.
func Scheduled(sc *scenarios.Scenario, steps []results.PlanStep) *scenarios.Scenario {
	c := *sc
	pol := c.Fleet.Policy
	first := steps[0].Count
	switch {
	case pol.MinAvailable != nil:
		ma := *pol.MinAvailable
		ma.Count = &first
		pol.MinAvailable = &ma
	case pol.Buffer != nil:
		b := *pol.Buffer
		b.Size = &first
		pol.Buffer = &b
	}
	pol.Schedule = nil
	for _, st := range steps[1:] {
		pol.Schedule = append(pol.Schedule, scenarios.ScheduleStep{At: scenarios.D(time.Duration(st.AtSeconds * float64(time.Second))), Count: st.Count})
	}
	c.Fleet.Policy = pol
	return &c
}
