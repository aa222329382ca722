package sim

import (
	"math"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"gonum.org/v1/gonum/stat/distuv"
)

// analytic sizes the buffer from the formulas of DESIGN §4 at the peak
// allocation rate: Erlang-B for dropped allocations, the M/M/S waiting
// tail (Erlang-C) for FIFO waits, the Poisson tail (Palm) for the
// demand-aware policy — each averaged over the controller tick's phase.
func analytic(sc *scenarios.Scenario) results.Analytic {
	return analyticAt(sc, sc.Curve().Peak(), true)
}

// analyticAt is analytic at a given peak arrival rate (players/s): a
// buffer schedule sizes each of its steps at its own window's peak.
// Without matchWait, the time-to-room budget goes to the allocation wait
// alone: a step so quiet that filling a match takes longer than the limit
// still needs rooms for the matches it forms (its few players weigh
// little in the day's percentile).
func analyticAt(sc *scenarios.Scenario, arrivalPeak float64, matchWait bool) results.Analytic {
	a := results.Analytic{PeakRate: arrivalPeak / float64(sc.Players.PerMatch)}
	a.Lead = sc.Fleet.PodStartup.Sampler().Mean()
	a.LeadWithNode = a.Lead
	if sc.Nodes.PodsPerNode > 0 {
		a.LeadWithNode += scenarios.BatchIdle + sc.Nodes.ProvisionDelay.Sampler().Mean() + sc.Nodes.BootTime.Sampler().Mean()
	}
	tick := sc.Fleet.SyncInterval.Seconds()
	demandAware := sc.Fleet.Policy.CountWaiting
	wait := sc.Players.Allocation.OnNoServer == "wait"
	switch {
	case !wait:
		a.Formula = "Erlang-B loss"
	case demandAware:
		a.Formula = "Poisson tail (Palm, base stock)"
	default:
		a.Formula = "M/M/S waiting tail (Erlang-C)"
	}
	if tick > 0 {
		a.Formula += ", averaged over the sync tick"
	}
	// tail(s, lead, t) is P(an allocation waits longer than t). The
	// Erlang terms depend on (s, lead) only: remember them across the
	// budget splits below, which vary t.
	lambda := a.PeakRate
	memoS, memo := -1, map[float64]float64{}
	erlang := func(s int, lead float64, f func(int, float64) float64) float64 {
		if s != memoS {
			memoS, memo = s, map[float64]float64{}
		}
		v, ok := memo[lead]
		if !ok {
			v = f(s, lambda*lead)
			memo[lead] = v
		}
		return v
	}
	tail := func(s int, lead, t float64) float64 {
		switch {
		case !wait:
			return erlang(s, lead, ErlangB)
		case demandAware:
			if t >= lead {
				return 0
			}
			return PoissonTail(s, lambda*(lead-t))
		case lambda*lead >= float64(s):
			return 1 // unstable queue
		}
		// M/M/s waiting tail: P(W > t) = C·exp(−(s/L − λ)t).
		return erlang(s, lead, ErlangC) * math.Exp(-(float64(s)/lead-lambda)*t)
	}
	// meets reports whether s satisfies every buffer-dependent SLO.
	meets := func(s int, lead float64) bool {
		ok := true
		check := func(t, limit float64) {
			p := TickAveraged(func(l float64) float64 { return tail(s, l, t) }, lead, tick)
			ok = ok && p <= limit
		}
		if f := sc.SLO.AllocationFailures; f != nil {
			t := sc.Players.Allocation.Timeout.Seconds()
			if wait && t == 0 {
				t = math.Inf(1)
			}
			if !math.IsInf(t, 1) || !wait {
				check(t, f.Max)
			}
		}
		// Time to room = match wait + allocation wait. A union bound over
		// a split of the budget, P(MW > L−t) + P(AW > t) ≤ 1−q for some
		// t, is conservative whatever their dependence.
		for _, q := range sc.SLO.TimeToRoom.List() {
			if !wait {
				continue
			}
			best := math.Inf(1)
			for k := 0; k <= 40; k++ {
				t := q.Limit * float64(k) / 40
				aw := TickAveraged(func(l float64) float64 { return tail(s, l, t) }, lead, tick)
				mw := 0.0
				if matchWait {
					mw = matchWaitTail(sc, arrivalPeak, q.Limit-t)
				}
				best = math.Min(best, mw+aw)
			}
			ok = ok && best <= 1-q.Q
		}
		return ok
	}
	a.Min = smallest(func(s int) bool { return meets(s, a.Lead) })
	a.MinWithNode = smallest(func(s int) bool { return meets(s, a.LeadWithNode) })
	p := sc.Fleet.Policy
	if p.MinAvailable != nil && !p.CountWaiting && sc.Fleet.AfterMatch == "recycle" && tick > 0 {
		a.SyncCap = int(math.Ceil(lambda * tick))
		if a.Min >= 0 {
			a.Min = max(a.Min, a.SyncCap)
			a.MinWithNode = max(a.MinWithNode, a.SyncCap)
		}
	}
	if a.Min < 0 {
		a.Note = "no buffer meets the SLO at the peak rate (the match fill time alone exceeds the limit, or the queue is unstable)"
	}
	return a
}

// smallest is the least s in [0, searchCap] with ok(s), assuming ok is
// monotone, or −1. It gallops up from 0 (real answers are small, and the
// Erlang recursions cost O(s)), then bisects.
func smallest(ok func(int) bool) int {
	lo, hi := -1, 0
	for !ok(hi) {
		if hi >= searchCap {
			return -1
		}
		lo, hi = hi, min(max(2*hi, 1), searchCap)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// nodeRule applies OpenKruiseGame's guidance: keep enough idle servers to
// fill the spare nodes that cover peak demand during a node's lead time.
func nodeRule(sc *scenarios.Scenario, configured int, peakRate float64) results.NodeRule {
	p := sc.Nodes.PodsPerNode
	r := results.NodeRule{Applies: p > 0, PodsPerNode: p}
	if p <= 0 {
		return r
	}
	r.ConfiguredSpare = configured / p
	r.NodeLead = scenarios.BatchIdle + sc.Nodes.ProvisionDelay.Sampler().Mean() + sc.Nodes.BootTime.Sampler().Mean() +
		sc.Fleet.PodStartup.Sampler().Mean() + sc.Fleet.SyncInterval.Seconds()
	r.PeakDemand = peakRate * r.NodeLead
	r.SpareNodes = int(math.Ceil(r.PeakDemand / float64(p)))
	r.Recommended = r.SpareNodes * p
	return r
}

// matchWaitTail is P(a player waits longer than x for its match) at the
// peak rate: the player at position k of n waits for n−k more Poisson
// arrivals, Gamma(n−k, λ), so P = (1/n)·Σ_{j<n} P(Poisson(λx) < j); a match
// that starts short-handed at the timeout caps the wait.
func matchWaitTail(sc *scenarios.Scenario, arrivalPeak, x float64) float64 {
	n := sc.Players.PerMatch
	timeout := sc.Players.MatchTimeout.Seconds()
	switch {
	case x < 0:
		return 1
	case n <= 1:
		return 0
	case timeout > 0 && sc.Players.OnTimeout == "start" && x >= timeout:
		return 0
	}
	mean := arrivalPeak * x
	sum := 0.0
	for j := 1; j < n; j++ {
		sum += distuv.Poisson{Lambda: math.Max(mean, 1e-12)}.CDF(float64(j - 1))
	}
	return sum / float64(n)
}
