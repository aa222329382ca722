package policy

import "math"

// upLimit is calculateScaleUpLimitWithScalingRules: each policy allows
// Value pods (or percent, rounded up) on top of the replicas at its
// period's start; Max takes the most permissive, Min the least.
func (h *HPA) upLimit(now float64, current int) int {
	r := h.Up
	if r.Disabled || len(r.Policies) == 0 {
		return current
	}
	best := math.MinInt
	if r.SelectMin {
		best = math.MaxInt
	}
	for _, p := range r.Policies {
		start := h.periodStart(now, current, p.Period)
		lim := start + p.Value
		if p.Percent {
			lim = int(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		if r.SelectMin {
			best = min(best, lim)
		} else {
			best = max(best, lim)
		}
	}
	return best
}

// downLimit is calculateScaleDownLimitWithBehaviors: each policy allows
// removing Value pods (or percent; the count kept truncated) from the
// replicas at its period's start; Max takes the lowest, Min the highest.
func (h *HPA) downLimit(now float64, current int) int {
	r := h.Down
	if r.Disabled || len(r.Policies) == 0 {
		return current
	}
	best := math.MaxInt
	if r.SelectMin {
		best = math.MinInt
	}
	for _, p := range r.Policies {
		start := h.periodStart(now, current, p.Period)
		lim := start - p.Value
		if p.Percent {
			lim = int(float64(start) * (1 - float64(p.Value)/100))
		}
		if r.SelectMin {
			best = max(best, lim)
		} else {
			best = min(best, lim)
		}
	}
	return best
}

// periodStart is the replica count a period started from: current less
// what was added in the period, plus what was removed (an event exactly
// a period old is outside it).
func (h *HPA) periodStart(now float64, current int, period float64) int {
	start := current
	for _, e := range h.upEvents {
		if e.t > now-period {
			start -= e.n
		}
	}
	for _, e := range h.downEvts {
		if e.t > now-period {
			start += e.n
		}
	}
	return start
}

// record keeps a rescale from current to next as a scale event, dropping
// events older than the direction's longest period (storeScaleEvent).
func (h *HPA) record(now float64, current, next int) {
	switch {
	case next > current:
		h.upEvents = append(outdated(h.upEvents, now, longest(h.Up)), stamped{now, next - current})
	case next < current:
		h.downEvts = append(outdated(h.downEvts, now, longest(h.Down)), stamped{now, current - next})
	}
}

func longest(r HPARules) float64 {
	l := 0.0
	for _, p := range r.Policies {
		l = max(l, p.Period)
	}
	return l
}

// outdated drops the events before now − period.
func outdated(events []stamped, now, period float64) []stamped {
	keep := events[:0]
	for _, e := range events {
		if !(e.t < now-period) {
			keep = append(keep, e)
		}
	}
	return keep
}
