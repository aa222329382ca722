package main

import (
	"fmt"

	"github.com/fleetbench/fleetbench/sim"
)

// printCheck writes the three sizing answers and the verdict.
func printCheck(e env, r *sim.CheckReport) {
	w := e.stdout
	fmt.Fprintf(w, "sizing check: %s — %s = %d (DES: %d replications per trial)\n\n", r.Scenario, r.Knob, r.Configured, r.Reps)
	if nr := r.NodeRule; nr.Applies {
		fmt.Fprintf(w, "(a) node-size rule (OpenKruiseGame): minAvailable ≥ podsPerNode × spare nodes\n")
		fmt.Fprintf(w, "    configured %d keeps %d spare node(s) of %d pods\n", r.Configured, nr.ConfiguredSpare, nr.PodsPerNode)
		fmt.Fprintf(w, "    peak demand during a node's %.0f s lead (batch+provision+boot+startup+sync) ≈ %.1f rooms → %d spare nodes → %d\n",
			nr.NodeLead, nr.PeakDemand, nr.SpareNodes, nr.Recommended)
		fmt.Fprintf(w, "    cost: %.0f idle server-hours, %.2f\n\n", nr.Cost.IdleServerHours, nr.Cost.Money)
	} else {
		fmt.Fprintf(w, "(a) node-size rule: n/a (no node model: podsPerNode 0)\n\n")
	}
	a := r.Analytic
	fmt.Fprintf(w, "(b) analytic minimum: %s at the peak %.3f allocations/s\n", a.Formula, a.PeakRate)
	if a.Min < 0 {
		fmt.Fprintf(w, "    %s\n\n", a.Note)
	} else {
		fmt.Fprintf(w, "    %d with pod startup lead %.1f s (free node capacity); %d if every replacement waits for a node (lead %.1f s)\n",
			a.Min, a.Lead, a.MinWithNode, a.LeadWithNode)
		if a.SyncCap > 0 {
			fmt.Fprintf(w, "    (OpenKruiseGame adds at most minAvailable servers per sync: the peak needs ≥ %d to be sustainable at all)\n", a.SyncCap)
		}
		fmt.Fprintf(w, "    cost: %.0f idle server-hours, %.2f\n\n", a.Cost.IdleServerHours, a.Cost.Money)
	}
	v := r.Verified
	if v.Found {
		fmt.Fprintf(w, "(c) DES-verified minimum: %d meets every SLO\n", v.Min)
		fmt.Fprintf(w, "    cost (simulated): %.0f idle server-hours, %.2f (whole fleet: %.2f)\n\n", v.Cost.IdleServerHours, v.Cost.Money, v.Cost.FleetMoney)
	} else {
		fmt.Fprintf(w, "(c) DES-verified minimum: none up to %d (the policy's max, or where no match waits for a server any more);\n    %v still fails: not fixable by the buffer alone (look at max, nodes, match size or the SLO)\n\n", v.StoppedAt, v.Failing)
	}
	fmt.Fprintf(w, "configured %s = %d:\n", r.Knob, r.Configured)
	for _, vd := range r.ConfiguredRun.Verdicts {
		fmt.Fprintf(w, "  %-24s %10.4g  limit %-8.4g %s\n", vd.SLO, vd.Value, vd.Limit, passWord(vd.Pass))
	}
	if r.Pass {
		fmt.Fprintf(w, "verdict: PASS — the configured fleet meets its SLOs\n")
	} else {
		fmt.Fprintf(w, "verdict: FAIL — the configured fleet misses its SLOs\n")
	}
}
