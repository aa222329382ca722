package policy

// HPA is the HorizontalPodAutoscaler that KEDA puts between an external
// scaler (OpenKruiseGame's, which asks for a replica count) and the
// workload, computed as Kubernetes' controller does for an External
// metric with an AverageValue target of 1 (pkg/controller/podautoscaler,
// v1.37: GetExternalPerPodMetricReplicas, then
// normalizeDesiredReplicasWithBehaviors): the ask within tolerance of the
// current replicas changes nothing; the recommendation is stabilized over
// each direction's window, then limited by the direction's rate policies
// and by Min/Max. It keeps the recommendations and scale events it needs:
// not for concurrent use.
type HPA struct {
	// TolUp and TolDown bound the no-change band: (1 − TolDown) ≤ ask /
	// current ≤ (1 + TolUp), both ends included.
	TolUp, TolDown float64
	Up, Down       HPARules
	// Min and Max are the HPA's minReplicas and maxReplicas (Max 0: none).
	Min, Max int

	recs               []stamped // recommendations, oldest replaced first
	upEvents, downEvts []stamped // replicas added / removed by each rescale
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

// DefaultHPA is Kubernetes' default behavior: tolerance 10% both ways; up
// at once, by the larger of 4 pods or 100% per 15 s; down after 300 s of
// lower recommendations, by up to 100% per 15 s; at least 1 replica
// (KEDA's minReplicaCount 0 gives the HPA a minimum of 1).
func DefaultHPA() HPA {
	return HPA{
		TolUp: 0.1, TolDown: 0.1, Min: 1,
		Up:   HPARules{Policies: []HPARate{{Value: 4, Period: 15}, {Percent: true, Value: 100, Period: 15}}},
		Down: HPARules{Window: 300, Policies: []HPARate{{Percent: true, Value: 100, Period: 15}}},
	}
}

// Next is the replica count the HPA sets at its sync at now (seconds) when
// the scaler asks for ask replicas and the workload has current.
func (h *HPA) Next(now float64, current, ask int) int {
	if len(h.recs) == 0 {
		// recordInitialRecommendation: the count the HPA found is a
		// recommendation, so a scale-down waits a whole window (every
		// later sync keeps one, so recs is never empty again).
		h.recs = append(h.recs, stamped{now, current})
	}
	switch {
	case current == 0:
		return 0 // scaling is disabled at 0 replicas (KEDA activates)
	case h.Max > 0 && current > h.Max:
		return h.Max
	case current < h.Min:
		return h.Min
	}
	desired := current
	if ratio := float64(ask) / float64(current); ratio < 1-h.TolDown || ratio > 1+h.TolUp {
		desired = ask
	}
	rec := h.stabilize(now, current, desired)
	next := rec
	switch {
	case rec > current:
		limit := max(h.limit(now, current, true), current)
		if h.Max > 0 {
			limit = min(limit, h.Max)
		}
		next = min(rec, limit)
	case rec < current:
		next = max(rec, max(h.Min, min(h.limit(now, current, false), current)))
	}
	h.record(now, current, next)
	return next
}

// stabilize is stabilizeRecommendationWithBehaviors: the lowest
// recommendation of the scale-up window and the highest of the scale-down
// window bound current; a sample exactly one window old is outside it.
// desired is then kept in place of the oldest sample outside both.
func (h *HPA) stabilize(now float64, current, desired int) int {
	upCut, downCut := now-h.Up.Window, now-h.Down.Window
	up, down, old := desired, desired, -1
	for i, r := range h.recs {
		if r.t > upCut {
			up = min(up, r.n)
		}
		if r.t > downCut {
			down = max(down, r.n)
		}
		if r.t < upCut && r.t < downCut {
			old = i
		}
	}
	if old >= 0 {
		h.recs[old] = stamped{now, desired}
	} else {
		h.recs = append(h.recs, stamped{now, desired})
	}
	return min(max(current, up), down)
}
