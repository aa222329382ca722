package main

import (
	"fmt"
	"io"

	"github.com/fleetbench/fleetbench/results"
)

// printCheck writes the three sizing answers, each judged day by day, and
// the verdict.
func printCheck(e env, r *results.Sizing) {
	w := e.stdout
	rule := r.Rule
	fmt.Fprintf(w, "sizing check: %s — %s = %d\n", r.Scenario, r.Knob, r.Configured)
	fmt.Fprintf(w, "a value meets its SLOs when at least %g of its simulated days each meet every SLO, shown with %g%% confidence\n",
		rule.Target, rule.Confidence*100)
	fmt.Fprintf(w, "(days added at %v; Clopper–Pearson intervals at %.4g%% per look; undecided after %d days = not shown to meet)\n\n",
		rule.Looks, rule.LookLevel*100, rule.Looks[len(rule.Looks)-1])

	fmt.Fprintf(w, "%-37s %6s %9s %6s %17s  %-9s %s\n", "", "value", "days met", "share", "95% interval", "decision", "cost")
	row := func(label string, d *results.DayShare, cost *results.SizingCost) {
		if d == nil {
			return
		}
		c := ""
		if cost != nil {
			c = fmt.Sprintf("%.0f idle server-h", cost.IdleServerHours)
			if cost.Money > 0 {
				c += fmt.Sprintf(", %.2f", cost.Money)
			}
		}
		fmt.Fprintf(w, "%-37s %6d %9s %6.3f  [%.3f, %.3f]  %-9s %s\n", label, d.Value, fmt.Sprintf("%d/%d", d.Met, d.Days), d.Share, d.Low, d.High, d.Decision, c)
	}
	nr, a, v := r.NodeRule, r.Analytic, r.Verified
	if nr.Applies {
		row("(a) node-size rule", nr.Days, &nr.Cost)
	}
	if a.Min >= 0 {
		row("(b) analytic, free node capacity", a.MinDays, &a.Cost)
		row("(b) analytic, every pod waits a node", a.MinWithNodeDays, nil)
	}
	if v.Found {
		row("(c) DES-verified minimum", v.Days, &v.Cost)
	} else {
		row("(c) proposed, not confirmed", v.Days, nil)
	}
	row("    the value below it", v.Below, nil)
	row("configured", &r.ConfiguredDays, &r.ConfiguredCost)
	fmt.Fprintln(w)

	if nr.Applies {
		fmt.Fprintf(w, "(a) node-size rule (OpenKruiseGame): minAvailable ≥ podsPerNode × spare nodes; configured %d keeps %d spare node(s) of %d pods;\n",
			r.Configured, nr.ConfiguredSpare, nr.PodsPerNode)
		fmt.Fprintf(w, "    peak demand during a node's %.0f s lead (batch+provision+boot+startup+sync) ≈ %.1f rooms → %d spare nodes → %d\n",
			nr.NodeLead, nr.PeakDemand, nr.SpareNodes, nr.Recommended)
	} else {
		fmt.Fprintf(w, "(a) node-size rule: n/a (no node model: podsPerNode 0)\n")
	}
	fmt.Fprintf(w, "(b) analytic minimum: %s at the peak %.3f allocations/s\n", a.Formula, a.PeakRate)
	if a.Min < 0 {
		fmt.Fprintf(w, "    %s\n", a.Note)
	} else {
		fmt.Fprintf(w, "    %d with pod startup lead %.1f s (free node capacity); %d if every replacement waits for a node (lead %.1f s)\n",
			a.Min, a.Lead, a.MinWithNode, a.LeadWithNode)
		if a.SyncCap > 0 {
			fmt.Fprintf(w, "    (OpenKruiseGame adds at most minAvailable servers per sync: the peak needs ≥ %d to be sustainable at all)\n", a.SyncCap)
		}
	}
	switch {
	case v.Found:
		fmt.Fprintf(w, "(c) DES-verified minimum: %d (simulated: %.0f idle server-hours, %.2f; whole fleet %.2f), walked to on the verification days,\n",
			v.Min, v.Cost.IdleServerHours, v.Cost.Money, v.Cost.FleetMoney)
		fmt.Fprintf(w, "    its days and share those of the confirmation days, which chose nothing\n")
	case v.Days != nil:
		fmt.Fprintf(w, "(c) DES-verified minimum: none — %s\n", v.Reason)
	default:
		fmt.Fprintf(w, "(c) DES-verified minimum: none up to %d (%s);\n    %v still fails: not fixable by the buffer alone (look at max, nodes, match size or the SLO)\n",
			v.StoppedAt, v.Reason, v.Failing)
	}
	fmt.Fprintln(w)
	printDays(w, r)
	printPolicies(w, r)
	fmt.Fprintf(w, "days simulated: %d searching (seeds %s, %d per trial), %d verifying (seeds %s), %d confirming (seeds %s); %.1f s\n",
		r.SearchDays, rule.SearchSeeds, rule.SearchDaysPerTrial, r.VerifyDays, rule.VerifySeeds, r.ConfirmDays, rule.ConfirmSeeds, r.RunSeconds)
}

// printDays writes the configured value's SLOs day by day and the verdict.
func printDays(w io.Writer, r *results.Sizing) {
	d := r.ConfiguredDays
	fmt.Fprintf(w, "configured %s = %d, each SLO over %d days (pooled: the percentile over all days at once, shown, never judged):\n", r.Knob, r.Configured, d.Days)
	for _, s := range d.SLOs {
		fmt.Fprintf(w, "  %-24s met on %4d/%-4d days   pooled %10.4g  limit %.4g\n", s.SLO, s.Met, d.Days, s.Pooled, s.Limit)
	}
	switch d.Decision {
	case results.Meets:
		fmt.Fprintf(w, "verdict: PASS — the configured fleet meets every SLO on at least %g of days\n", r.Rule.Target)
	case results.Misses:
		fmt.Fprintf(w, "verdict: FAIL — the configured fleet misses its SLOs on more than %.4g of days\n", 1-r.Rule.Target)
	default:
		fmt.Fprintf(w, "verdict: FAIL — not shown to meet its SLOs on %g of days within %d days (raise --max-days to decide)\n", r.Rule.Target, d.Days)
	}
	if r.Recommended > 0 {
		c, v := r.ConfiguredCost, r.Verified.Cost
		fmt.Fprintf(w, "recommended: %s = %d — %.0f idle server-hours a day (%.2f) against the configured %d's %.0f (%.2f)\n",
			r.Knob, r.Recommended, v.IdleServerHours, v.Money, r.Configured, c.IdleServerHours, c.Money)
	}
}

// printPolicies sets the policies side by side, each at its own cheapest
// value shown to meet the target.
func printPolicies(w io.Writer, r *results.Sizing) {
	if len(r.Policies) == 0 {
		return
	}
	fmt.Fprintf(w, "\npolicies side by side, each at its cheapest value meeting the target (pooled over its verification days):\n")
	fmt.Fprintf(w, "  %-30s %6s %16s %10s %12s %14s\n", "policy", "value", "idle server-h/day", "cost/day", "p99 ttr (s)", "failures/match")
	for _, p := range r.Policies {
		v := p.Verified
		if !v.Found {
			if v.StoppedAt == 0 {
				fmt.Fprintf(w, "  %-30s none: %s\n", p.Policy, v.Reason)
			} else {
				fmt.Fprintf(w, "  %-30s none up to %d: %s\n", p.Policy, v.StoppedAt, v.Reason)
			}
			continue
		}
		fmt.Fprintf(w, "  %-30s %6d %16.0f %10.2f %12.3f %14.4g\n", p.Policy, v.Min, v.Cost.IdleServerHours, v.Cost.Money, v.TimeToRoomP99, v.FailureShare)
	}
}
