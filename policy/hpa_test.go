package policy

import "testing"

// step is one HPA sync: at t, with current replicas, the scaler asks ask
// and the HPA must set want.
type step struct {
	t                  float64
	current, ask, want int
}

func replay(t *testing.T, h HPA, steps []step) {
	t.Helper()
	for _, s := range steps {
		if got := h.Next(s.t, s.current, s.ask); got != s.want {
			t.Errorf("t=%g: %d replicas, ask %d → %d, want %d", s.t, s.current, s.ask, got, s.want)
		}
	}
}

func noWindows() HPA {
	h := DefaultHPA()
	h.Down.Window = 0
	return h
}

// The no-change band of GetExternalPerPodMetricReplicas (replica_calculator.go,
// isWithin): (1 − down) ≤ ask/current ≤ (1 + up), both ends included, in
// float64 as upstream computes it (44/40 is 1.1 exactly there; |44/40 − 1|
// is not 0.1).
func TestHPAToleranceBandIsInclusive(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ current, ask, want int }{
		{40, 44, 40}, {40, 45, 45}, {40, 36, 40}, {40, 35, 35}, {600, 660, 600}, {600, 661, 661},
	} {
		h := noWindows()
		h.Min = 1
		if got := h.Next(0, c.current, c.ask); got != c.want {
			t.Errorf("%d replicas, ask %d: %d, want %d", c.current, c.ask, got, c.want)
		}
	}
	// Per-direction tolerances (behavior.scaleUp.tolerance, scaleDown.tolerance).
	h := noWindows()
	h.TolUp, h.TolDown = 0.05, 0
	replay(t, h, []step{{0, 40, 42, 40}, {15, 40, 43, 43}, {30, 43, 42, 42}})
}

// stabilizeRecommendationWithBehaviors with recordInitialRecommendation
// (horizontal.go): the count found at the first sync is a sample, so the
// 300 s scale-down window holds it; a sample exactly one window old is
// outside (timestamp.After(cutoff)), so the scale-down comes at t=300.
func TestHPAStabilizationWindowAndInitialRecommendation(t *testing.T) {
	t.Parallel()
	steps := []step{{0, 10, 4, 10}}
	for at := 15.0; at < 300; at += 15 {
		steps = append(steps, step{at, 10, 4, 10})
	}
	steps = append(steps, step{300, 10, 4, 4})
	replay(t, DefaultHPA(), steps)

	// A scale-up window holds the lowest recent recommendation.
	h := DefaultHPA()
	h.Up.Window, h.Down.Window = 30, 0
	replay(t, h, []step{{0, 2, 6, 2}, {15, 2, 6, 2}, {30, 2, 6, 6}})
}

// getReplicasChangePerPeriod, calculateScaleUpLimitWithScalingRules: a
// period starts from current − added + removed within it (an event exactly
// a period old is out); Pods 4 per 60 s up, 100% per 15 s down.
func TestHPARatePeriodsCountAddedAndRemoved(t *testing.T) {
	t.Parallel()
	h := noWindows()
	h.Up = HPARules{Policies: []HPARate{{Value: 4, Period: 60}}}
	replay(t, h, []step{
		{0, 5, 20, 9},   // start 5 → 9
		{15, 9, 6, 6},   // down at once (the t=0 event is a whole 15 s period old)
		{30, 6, 20, 9},  // start 6 − 4 + 3 = 5 → 9
		{45, 9, 20, 9},  // start 9 − 4 − 3 + 3 = 5 → 9
		{60, 9, 20, 13}, // the t=0 event is out: start 9 − 3 + 3 = 9 → 13
	})
	// Kubernetes' defaults: max(4 pods, 100%) per 15 s; percent rounds up.
	replay(t, DefaultHPA(), []step{{0, 10, 100, 20}, {5, 20, 100, 20}, {15, 20, 100, 40}, {30, 40, 100, 80}, {45, 80, 100, 100}})
	// Percent down keeps the truncated count: 30% of 7 leaves int(4.9) = 4.
	h = noWindows()
	h.Down = HPARules{Policies: []HPARate{{Percent: true, Value: 30, Period: 15}}}
	replay(t, h, []step{{0, 7, 1, 4}})
}

// convertDesiredReplicasWithBehaviorRate: minReplicas and maxReplicas
// bound the rate-limited count after the tolerance and the windows; a
// count already outside them is moved without reading the metric.
func TestHPAMinMaxApplyLast(t *testing.T) {
	t.Parallel()
	h := noWindows()
	h.Min, h.Max = 3, 8
	replay(t, h, []step{{0, 4, 4, 4}, {15, 4, 10, 8}, {30, 8, 1, 3}, {45, 3, 2, 3}, {60, 9, 9, 8}})
	// Disabled scale-down, tolerance 0.
	h = HPA{Min: 1, Up: HPARules{Policies: []HPARate{{Value: 1000, Period: 15}}}, Down: HPARules{Disabled: true}}
	replay(t, h, []step{{0, 600, 601, 601}, {15, 601, 10, 601}})
}

// selectPolicy Min takes the policy allowing the least change: up, the
// lower of 10+4 and 10·2; down, the higher of 10−2 and 10·0.5.
func TestHPASelectPolicyMin(t *testing.T) {
	t.Parallel()
	h := noWindows()
	h.Up = HPARules{SelectMin: true, Policies: []HPARate{{Value: 4, Period: 15}, {Percent: true, Value: 100, Period: 15}}}
	h.Down = HPARules{SelectMin: true, Policies: []HPARate{{Value: 2, Period: 15}, {Percent: true, Value: 50, Period: 15}}}
	replay(t, h, []step{{0, 10, 100, 14}, {60, 10, 1, 8}})
}
