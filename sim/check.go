package sim

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// searchCap bounds the buffer sizes the sizing search tries.
const searchCap = 1 << 16

// CheckReport holds the three sizing answers for a scenario's fleet.
type CheckReport struct {
	Scenario   string `json:"scenario"`
	Knob       string `json:"knob"` // the field sized, e.g. fleet.policy.minAvailable.count
	Configured int    `json:"configured"`
	Reps       int    `json:"reps"`

	NodeRule NodeRule `json:"nodeRule"`
	Analytic Analytic `json:"analytic"`
	Verified Verified `json:"verified"`

	// ConfiguredRun is the DES of the scenario as configured, merged over reps.
	ConfiguredRun *results.Run `json:"-"`
	Pass          bool         `json:"pass"`
}

// NodeRule is OpenKruiseGame's node-size rule: minAvailable ≥ podsPerNode ×
// spare nodes keeps that many idle nodes ahead of the autoscaler.
type NodeRule struct {
	Applies         bool    `json:"applies"`
	PodsPerNode     int     `json:"podsPerNode"`
	ConfiguredSpare int     `json:"configuredSpareNodes"`
	NodeLead        float64 `json:"nodeLeadSeconds"` // batch + provision + boot + startup + tick
	PeakDemand      float64 `json:"peakDemandDuringLead"`
	SpareNodes      int     `json:"spareNodesNeeded"`
	Recommended     int     `json:"recommended"`
	Cost            Cost    `json:"cost"`
}

// Analytic is the formula answer at the peak allocation rate.
type Analytic struct {
	PeakRate     float64 `json:"peakAllocationsPerSecond"`
	Lead         float64 `json:"leadSeconds"`         // pod startup
	LeadWithNode float64 `json:"leadWithNodeSeconds"` // + provision + boot, when a node is needed
	Formula      string  `json:"formula"`
	Min          int     `json:"min"`         // pods land on free node capacity
	MinWithNode  int     `json:"minWithNode"` // every replacement waits for a node
	// SyncCap is the least minAvailable that can sustain the peak at all
	// under OpenKruiseGame's rule, which adds at most minAvailable servers
	// per sync when servers are recycled: ⌈λ·T⌉ (0 when it does not apply).
	SyncCap int    `json:"syncCap,omitempty"`
	Cost    Cost   `json:"cost"`
	Note    string `json:"note,omitempty"`
}

// Verified is the smallest value the DES shows meets every SLO.
type Verified struct {
	Found   bool     `json:"found"`
	Min     int      `json:"min"`
	Cost    Cost     `json:"cost"`
	Failing []string `json:"failing,omitempty"` // SLOs missed where the search stopped
	// StoppedAt is where a fruitless search stopped: at the cap, or where
	// no match waited any more (more buffer cannot help).
	StoppedAt int `json:"stoppedAt,omitempty"`
}

// Cost of holding a buffer over the scenario: idle server-hours, and
// money where the scenario prices nodes.
type Cost struct {
	IdleServerHours float64 `json:"idleServerHours"`
	Money           float64 `json:"money"` // of the idle server-hours
	// FleetMoney is the whole fleet's cost over the scenario (DES only).
	FleetMoney float64 `json:"fleetMoney,omitempty"`
	Simulated  bool    `json:"simulated"` // from the DES rather than an estimate
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

// Check answers "is my buffer big enough?" three ways: the node-size rule,
// the analytic minimum and the DES-verified minimum (reps per trial).
func Check(ctx context.Context, doc []byte, dir string, reps, workers int, opts Options) (*CheckReport, error) {
	sc, err := scenarios.Parse(doc, dir)
	if err != nil {
		return nil, err
	}
	name, configured, limit, err := knob(sc)
	if err != nil {
		return nil, err
	}
	rep := &CheckReport{Scenario: sc.Name, Knob: name, Configured: configured, Reps: max(reps, 1)}
	rep.Analytic = analytic(sc)
	rep.NodeRule = nodeRule(sc, configured, rep.Analytic.PeakRate)
	rep.Analytic.Cost = estimateCost(sc, rep.Analytic.Min)
	rep.NodeRule.Cost = estimateCost(sc, rep.NodeRule.Recommended)

	trial := func(v int) (*results.Run, error) {
		s, err := scenarios.ParseWith(doc, dir, []scenarios.Override{{Path: name, Value: strconv.Itoa(v)}})
		if err != nil {
			return nil, err
		}
		run, err := Replicate(ctx, s, reps, workers, opts)
		if err == nil && opts.Logger != nil {
			opts.Logger.InfoContext(ctx, "sizing trial", "knob", name, "value", v, "pass", run.Passed(), "failing", failing(run))
		}
		return run, err
	}
	if rep.ConfiguredRun, err = trial(configured); err != nil {
		return nil, err
	}
	rep.Pass = rep.ConfiguredRun.Passed()
	rep.Verified, err = search(trial, configured, limit, rep.Pass, rep.ConfiguredRun)
	if err != nil {
		return nil, err
	}
	if rep.Verified.Found {
		c := &rep.Verified.Cost
		c.Money = math.Round(c.IdleServerHours*serverHourPrice(sc)*100) / 100
	}
	return rep, nil
}

// search finds the smallest passing value, assuming more buffer never
// hurts: gallop up from a failing value, then bisect.
func search(trial func(int) (*results.Run, error), configured, limit int, configuredPass bool, configuredRun *results.Run) (Verified, error) {
	lo, hi := -1, configured // lo fails, hi passes
	best := configuredRun
	if !configuredPass {
		if configured >= limit {
			return Verified{Failing: failing(configuredRun), StoppedAt: configured}, nil
		}
		lo = configured
		hi = min(max(2*configured, 8), limit)
		for {
			run, err := trial(hi)
			if err != nil {
				return Verified{}, err
			}
			if run.Passed() {
				best = run
				break
			}
			// With no waits and no failures every match found a Ready
			// server at once: a bigger buffer cannot change anything.
			saturated := run.Counters[results.AllocationWaits] == 0 && run.Counters[results.AllocationFailures] == 0
			if hi >= limit || saturated {
				return Verified{Failing: failing(run), StoppedAt: hi}, nil
			}
			lo, hi = hi, min(2*hi, limit)
		}
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		run, err := trial(mid)
		if err != nil {
			return Verified{}, err
		}
		if run.Passed() {
			hi, best = mid, run
		} else {
			lo = mid
		}
	}
	c := Cost{IdleServerHours: best.Cost.IdleServerSeconds / 3600, FleetMoney: best.Cost.Money, Simulated: true}
	return Verified{Found: true, Min: hi, Cost: c}, nil
}

func failing(r *results.Run) []string {
	var out []string
	for _, v := range r.Verdicts {
		if !v.Pass {
			out = append(out, v.SLO)
		}
	}
	return out
}

// estimateCost prices s servers held idle for the whole scenario.
func estimateCost(sc *scenarios.Scenario, s int) Cost {
	hours := float64(s) * sc.Duration.Hours()
	return Cost{IdleServerHours: hours, Money: math.Round(hours*serverHourPrice(sc)*100) / 100}
}

// serverHourPrice is a server's share of a node-hour.
func serverHourPrice(sc *scenarios.Scenario) float64 {
	if sc.Nodes.PodsPerNode > 0 {
		return sc.Nodes.HourlyCost / float64(sc.Nodes.PodsPerNode)
	}
	return sc.Nodes.HourlyCost
}
