package policy

import "testing"

// Kubernetes' HPA with its defaults, step by step as its controller
// computes them for an AverageValue metric of target 1.
func TestHPAToleranceRatesAndStabilization(t *testing.T) {
	t.Parallel()
	h := DefaultHPA()
	// The deadband: a fleet of 600 does not grow for an ask within 10%.
	if got := h.Next(0, 600, 650); got != 600 {
		t.Errorf("ask 650 of 600: %d, want 600 (within the tolerance)", got)
	}
	if got := h.Next(15, 600, 661); got != 661 {
		t.Errorf("ask 661 of 600: %d, want 661 (past the tolerance)", got)
	}

	// Up: at most max(4 pods, 100%) per 15 s.
	h = DefaultHPA()
	steps := []struct {
		t             float64
		current, want int
	}{{0, 10, 20}, {5, 20, 20}, {15, 20, 40}, {30, 40, 80}, {45, 80, 100}}
	for _, s := range steps {
		if got := h.Next(s.t, s.current, 100); got != s.want {
			t.Errorf("t=%g: %d replicas asking 100 → %d, want %d", s.t, s.current, got, s.want)
		}
	}

	// Down: the highest recommendation of the last 300 s holds.
	h = DefaultHPA()
	h.Next(0, 100, 100)
	for _, at := range []float64{30, 150, 300} {
		if got := h.Next(at, 100, 50); got != 100 {
			t.Errorf("t=%g: down to %d within the stabilization window, want 100", at, got)
		}
	}
	if got := h.Next(301, 100, 50); got != 50 {
		t.Errorf("t=301: %d, want 50 once the window holds only 50s", got)
	}

	// Tolerance 0 and a disabled scale-down.
	h = HPA{Up: HPARules{Policies: []HPARate{{Value: 1000, Period: 15}}}, Down: HPARules{Disabled: true}}
	if got := h.Next(0, 600, 601); got != 601 {
		t.Errorf("tolerance 0: %d, want 601", got)
	}
	if got := h.Next(15, 601, 10); got != 601 {
		t.Errorf("scale-down disabled: %d, want 601", got)
	}
}
