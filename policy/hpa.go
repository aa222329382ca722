package policy

import "math"

// HPA is the HorizontalPodAutoscaler that KEDA puts between an external
// scaler (OpenKruiseGame's, which asks for a replica count) and the
// workload, as Kubernetes' controller computes it for an AverageValue
// metric with target 1: the scaler's ask within Tolerance of the current
// replicas changes nothing; a recommendation is stabilized over each
// direction's window (the lowest of the scale-up window, the highest of
// the scale-down window) and limited by the direction's rate policies.
// It keeps the recommendations and scale events it needs: not for
// concurrent use.
type HPA struct {
	Tolerance float64
	Up, Down  HPARules

	recs   []stamped // recommendations, newest last
	events []stamped // scale events: replicas added (>0) or removed (<0)
}

// HPARules are one direction's behavior.
type HPARules struct {
	Window   float64 // stabilization window, seconds
	Policies []HPARate
	// SelectMin picks the policy allowing the least change (Kubernetes'
	// selectPolicy: Min); the default, Max, the most. Disabled forbids
	// scaling this way.
	SelectMin, Disabled bool
}

// HPARate allows Value pods, or Value percent of the replicas at the
// period's start, per Period seconds.
type HPARate struct {
	Percent bool
	Value   int
	Period  float64
}

type stamped struct {
	t float64
	n int
}

// DefaultHPA is Kubernetes' default behavior: tolerance 10%; up at once,
// by the larger of 4 pods or 100% per 15 s; down after 300 s of lower
// recommendations, by up to 100% per 15 s.
func DefaultHPA() HPA {
	return HPA{
		Tolerance: 0.1,
		Up:        HPARules{Policies: []HPARate{{Value: 4, Period: 15}, {Percent: true, Value: 100, Period: 15}}},
		Down:      HPARules{Window: 300, Policies: []HPARate{{Percent: true, Value: 100, Period: 15}}},
	}
}

// Next is the replica count the HPA sets at time now (seconds) when the
// scaler asks for ask replicas and the workload has current.
func (h *HPA) Next(now float64, current, ask int) int {
	rec := ask
	if current > 0 && math.Abs(float64(ask)/float64(current)-1) <= h.Tolerance {
		rec = current
	}
	h.recs = append(h.recs, stamped{now, rec})
	up, down := rec, rec
	keep := 0
	for _, r := range h.recs {
		if now-r.t <= h.Up.Window {
			up = min(up, r.n)
		}
		if now-r.t <= h.Down.Window {
			down = max(down, r.n)
		}
		if now-r.t <= max(h.Up.Window, h.Down.Window) {
			h.recs[keep] = r
			keep++
		}
	}
	h.recs = h.recs[:keep]
	next := min(max(current, up), down)
	switch {
	case next > current:
		next = min(next, h.limit(now, current, &h.Up, true))
	case next < current:
		next = max(next, h.limit(now, current, &h.Down, false))
	}
	if next != current {
		h.events = append(h.events, stamped{now, next - current})
	}
	return next
}

// limit is the furthest the rules let replicas go from current now.
func (h *HPA) limit(now float64, current int, r *HPARules, up bool) int {
	if r.Disabled || len(r.Policies) == 0 {
		return current
	}
	best, first := 0, true
	for _, p := range r.Policies {
		moved := 0 // replicas added (up) or removed (down) within the period
		for _, e := range h.events {
			if now-e.t < p.Period && (e.n > 0) == up {
				moved += abs(e.n)
			}
		}
		var lim int
		if up {
			start := current - moved
			lim = start + p.Value
			if p.Percent {
				lim = int(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
			}
		} else {
			start := current + moved
			lim = start - p.Value
			if p.Percent {
				lim = int(math.Floor(float64(start) * (1 - float64(p.Value)/100)))
			}
		}
		// Max allows the most change: the highest limit up, the lowest down.
		if first || (up != r.SelectMin && lim > best) || (up == r.SelectMin && lim < best) {
			best, first = lim, false
		}
	}
	h.trim(now)
	return max(best, 0)
}

// trim drops scale events older than every period.
func (h *HPA) trim(now float64) {
	longest := 0.0
	for _, p := range append(append([]HPARate(nil), h.Up.Policies...), h.Down.Policies...) {
		longest = max(longest, p.Period)
	}
	keep := 0
	for _, e := range h.events {
		if now-e.t < longest {
			h.events[keep] = e
			keep++
		}
	}
	h.events = h.events[:keep]
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
