package sizing

import (
	"math"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
	"gonum.org/v1/gonum/stat/distuv"
)

// analytic sizes the buffer, as docs/sim.md's (b) states it, at the peak
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
	z := newSizer(sc, arrivalPeak, matchWait)
	a := results.Analytic{PeakRate: z.lambda, Formula: z.formula()}
	a.Lead = sc.Fleet.PodStartup.Sampler().Mean()
	a.LeadWithNode = a.Lead
	if sc.Nodes.PodsPerNode > 0 {
		a.LeadWithNode += scenarios.BatchIdle + sc.Nodes.ProvisionDelay.Sampler().Mean() + sc.Nodes.BootTime.Sampler().Mean()
	}
	a.Min = smallest(func(s int) bool { return z.meets(s, a.Lead) })
	a.MinWithNode = smallest(func(s int) bool { return z.meets(s, a.LeadWithNode) })
	p := sc.Fleet.Policy
	if p.MinAvailable != nil && !p.CountWaiting && sc.Fleet.AfterMatch == scenarios.Recycle && z.tick > 0 {
		a.SyncCap = int(math.Ceil(z.lambda * z.tick))
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

// regime is how a match that finds no Ready room fares.
type regime uint8

const (
	lossRegime        regime = iota // onNoServer: fail — Erlang B
	fifoRegime                      // wait, in FIFO order — the M/M/s waiting tail
	demandAwareRegime               // wait, with countWaiting — the Poisson tail (Palm)
)

// sizer judges buffer sizes against the scenario's buffer-dependent SLOs
// at one allocation rate. The Erlang terms depend only on (s, lead), not on
// the wait t the SLOs vary: they are computed once per pair (cache).
type sizer struct {
	sc          *scenarios.Scenario
	arrivalPeak float64 // players/s
	lambda      float64 // allocations/s
	tick        float64
	regime      regime
	matchWait   bool
	cacheS      int
	cache       map[float64]float64 // Erlang term by lead, for s = cacheS
}

func newSizer(sc *scenarios.Scenario, arrivalPeak float64, matchWait bool) *sizer {
	z := &sizer{sc: sc, arrivalPeak: arrivalPeak, lambda: arrivalPeak / float64(sc.Players.PerMatch),
		tick: sc.Fleet.Tick().Seconds(), matchWait: matchWait, cacheS: -1}
	switch {
	case sc.Players.Allocation.OnNoServer != scenarios.Wait:
		z.regime = lossRegime
	case sc.Fleet.Policy.CountWaiting:
		z.regime = demandAwareRegime
	default:
		z.regime = fifoRegime
	}
	return z
}

func (z *sizer) formula() string {
	f := [...]string{"Erlang-B loss", "M/M/S waiting tail (Erlang-C)", "Poisson tail (Palm, base stock)"}[z.regime]
	if z.tick > 0 {
		f += ", averaged over the sync tick"
	}
	return f
}

// erlang is B or C for s servers at offered load λ·lead, cached.
func (z *sizer) erlang(s int, lead float64, f func(int, float64) float64) float64 {
	if s != z.cacheS {
		z.cacheS, z.cache = s, map[float64]float64{}
	}
	v, ok := z.cache[lead]
	if !ok {
		v = f(s, z.lambda*lead)
		z.cache[lead] = v
	}
	return v
}

// allocTail is P(an allocation waits longer than t) with a buffer of s
// and replacement lead: a loss is a wait of forever (Erlang B); FIFO waits
// follow the M/M/s tail C·exp(−(s/L − λ)t) (unstable when λL ≥ s); the
// demand-aware buffer is short when more than s of the last L − t
// seconds' requests are still waiting (Palm).
func (z *sizer) allocTail(s int, lead, t float64) float64 {
	switch z.regime {
	case lossRegime:
		return z.erlang(s, lead, sim.ErlangB)
	case demandAwareRegime:
		if t >= lead {
			return 0
		}
		return sim.PoissonTail(s, z.lambda*(lead-t))
	}
	if z.lambda*lead >= float64(s) {
		return 1
	}
	return z.erlang(s, lead, sim.ErlangC) * math.Exp(-(float64(s)/lead-z.lambda)*t)
}

// tickedTail is allocTail averaged over the controller tick's phase.
func (z *sizer) tickedTail(s int, lead, t float64) float64 {
	return sim.TickAveraged(func(l float64) float64 { return z.allocTail(s, l, t) }, lead, z.tick)
}

// meets reports whether a buffer of s satisfies every buffer-dependent SLO.
func (z *sizer) meets(s int, lead float64) bool {
	sc, wait := z.sc, z.regime != lossRegime
	if f := sc.SLO.AllocationFailures; f != nil {
		t := sc.Players.Allocation.Timeout.Seconds()
		if wait && t == 0 {
			t = math.Inf(1)
		}
		if (!math.IsInf(t, 1) || !wait) && z.tickedTail(s, lead, t) > f.Max {
			return false
		}
	}
	if !wait {
		return true
	}
	for _, q := range sc.SLO.TimeToRoom.List() {
		if z.timeToRoomTail(s, lead, q.Limit) > 1-q.Q {
			return false
		}
	}
	return true
}

// timeToRoomTail bounds P(time to room > limit): time to room is match
// wait + allocation wait, and a union bound over a split of the limit,
// P(MW > limit−t) + P(AW > t) for the best t of 41, holds whatever their
// dependence.
func (z *sizer) timeToRoomTail(s int, lead, limit float64) float64 {
	best := math.Inf(1)
	for k := 0; k <= 40; k++ {
		t := limit * float64(k) / 40
		mw := 0.0
		if z.matchWait {
			mw = matchWaitTail(z.sc, z.arrivalPeak, limit-t)
		}
		best = math.Min(best, mw+z.tickedTail(s, lead, t))
	}
	return best
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
		sc.Fleet.PodStartup.Sampler().Mean() + sc.Fleet.Tick().Seconds()
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
	case timeout > 0 && sc.Players.OnTimeout == scenarios.StartShort && x >= timeout:
		return 0
	}
	mean := arrivalPeak * x
	sum := 0.0
	for j := 1; j < n; j++ {
		sum += distuv.Poisson{Lambda: math.Max(mean, 1e-12)}.CDF(float64(j - 1))
	}
	return sum / float64(n)
}
