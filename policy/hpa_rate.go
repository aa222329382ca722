package policy

import "math"

// limit is the furthest one direction's rules let the replicas go from
// current (calculateScaleUpLimitWithScalingRules,
// calculateScaleDownLimitWithBehaviors): each policy allows Value pods,
// or Value percent, from the replicas at its period's start — up rounded
// up, down keeping the truncated count; selectPolicy Max takes the policy
// allowing the most change, Min the least.
func (h *HPA) limit(now float64, current int, up bool) int {
	r := h.Down
	if up {
		r = h.Up
	}
	if r.Disabled || len(r.Policies) == 0 {
		return current
	}
	var best int
	for i, p := range r.Policies {
		start := h.periodStart(now, current, p.Period)
		var lim int
		switch {
		case up && p.Percent:
			lim = int(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		case up:
			lim = start + p.Value
		case p.Percent:
			lim = int(float64(start) * (1 - float64(p.Value)/100))
		default:
			lim = start - p.Value
		}
		// Max up and Min down keep the higher limit; the others the lower.
		if i == 0 || (up != r.SelectMin) == (lim > best) {
			best = lim
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
