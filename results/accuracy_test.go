package results

import (
	"math"
	"math/rand/v2"
	"testing"
)

func runOf(t *testing.T, name string, sample func() float64, n int) *Run {
	t.Helper()
	h := NewHistogram()
	for range n {
		h.Record(sample())
	}
	r := &Run{Histograms: map[string]*Histogram{name: h}}
	r.Summarize()
	return r
}

// TestCompareModel: one distribution against itself is exact; a shift by
// one second gives W1 ≈ 1 s and relative errors of the shift; disjoint
// samples give KS D = 1.
func TestCompareModel(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	exp := func() float64 { return rng.ExpFloat64() * 2 }
	model := runOf(t, TimeToRoom, exp, 50000)
	same, err := CompareModel(model, model)
	if err != nil || len(same) != 1 {
		t.Fatalf("%v %+v", err, same)
	}
	if a := same[0]; a.KS != 0 || a.W1 != 0 || a.RelP99 != 0 {
		t.Errorf("a run against itself: %+v", a)
	}
	shifted := runOf(t, TimeToRoom, func() float64 { return exp() + 1 }, 50000)
	acc, _ := CompareModel(model, shifted)
	a := acc[0]
	if math.Abs(a.W1-1) > 0.05 {
		t.Errorf("W1 = %.3f s for a 1 s shift", a.W1)
	}
	if want := 1 / model.Metrics[TimeToRoom].P50; math.Abs(a.RelP50-want) > 0.02 {
		t.Errorf("relative p50 error %.3f, want %.3f", a.RelP50, want)
	}
	if a.KS < 0.2 || a.KS > 0.5 {
		t.Errorf("KS D = %.3f for exp(mean 2) against it shifted by 1 s (theory 1−e^−0.5 ≈ 0.39)", a.KS)
	}
	far := runOf(t, TimeToRoom, func() float64 { return 1000 + rng.Float64() }, 1000)
	if acc, _ := CompareModel(model, far); math.Abs(acc[0].KS-1) > 1e-9 {
		t.Errorf("disjoint samples: KS D = %v, want 1", acc[0].KS)
	}
	zero := runOf(t, TimeToRoom, func() float64 { return 0 }, 10)
	if acc, _ := CompareModel(zero, shifted); !math.IsNaN(acc[0].RelP50) {
		t.Errorf("a model predicting 0: relative error %v, want NaN (undefined)", acc[0].RelP50)
	}
}
