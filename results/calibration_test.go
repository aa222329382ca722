package results

import (
	"math"
	"testing"
)

// TestOverheadDraw: an overhead with a distribution is drawn by its
// quantile function, linear between the recorded points; without one it
// is its median.
func TestOverheadDraw(t *testing.T) {
	t.Parallel()
	o := Overhead{Seconds: 2, Quantiles: []float64{1, 2, 6}}
	for _, c := range []struct{ u, want float64 }{{0, 1}, {0.25, 1.5}, {0.5, 2}, {0.75, 4}, {0.999999, 6}} {
		if got := o.Draw(c.u); math.Abs(got-c.want) > 1e-4 {
			t.Errorf("Draw(%g) = %g, want %g", c.u, got, c.want)
		}
	}
	if got := (Overhead{Seconds: 2}).Draw(0.9); got != 2 {
		t.Errorf("no distribution: Draw = %g, want the median 2", got)
	}
}
