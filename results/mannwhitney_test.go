package results

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMannWhitney(t *testing.T) {
	t.Parallel()
	// Complete separation, 3 against 3: U = 9, P = 1/C(6,3) = 0.05.
	if u, p := MannWhitney([]float64{1, 2, 3}, []float64{4, 5, 6}); u != 9 || math.Abs(p-0.05) > 1e-12 {
		t.Errorf("separated 3v3: U=%v p=%v, want 9 and 0.05", u, p)
	}
	// The other direction: nothing larger.
	if u, p := MannWhitney([]float64{4, 5, 6}, []float64{1, 2, 3}); u != 0 || p != 1 {
		t.Errorf("reversed: U=%v p=%v, want 0 and 1", u, p)
	}
	// Large samples from one distribution: p roughly uniform, not tiny;
	// shifted by half a standard deviation: tiny.
	rng := rand.New(rand.NewPCG(1, 1))
	x, y, z := make([]float64, 500), make([]float64, 500), make([]float64, 500)
	for i := range x {
		x[i], y[i], z[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()+0.5
	}
	if _, p := MannWhitney(x, y); p < 0.01 {
		t.Errorf("same distribution: p = %v", p)
	}
	if _, p := MannWhitney(x, z); p > 1e-6 {
		t.Errorf("shifted by 0.5σ: p = %v", p)
	}
	// Exact and normal approximation agree for moderate samples.
	a, b := x[:20], z[:20]
	_, exact := MannWhitney(a, b)
	u, _ := MannWhitney(a, b)
	sd := math.Sqrt(20.0 * 20 * 41 / 12)
	approx := 0.5 * math.Erfc((u-200-0.5)/sd/math.Sqrt2)
	if math.Abs(exact-approx) > 0.01 {
		t.Errorf("exact %v, normal approximation %v", exact, approx)
	}
}
