package results

import "testing"

// TestScaleUpInOrder: the real-run tests' check of a scale-up's stages.
func TestScaleUpInOrder(t *testing.T) {
	for _, c := range []struct {
		up   ScaleUp
		want bool
	}{
		{ScaleUp{Created: 1, Ready: 2, PodRunning: 3, RoomReady: 4}, true},
		{ScaleUp{Created: 1, Ready: 2}, true}, // cut off by the run's end
		{ScaleUp{Created: 1, PodRunning: 3}, false},
		{ScaleUp{Created: 1, Ready: 3, PodRunning: 2, RoomReady: 4}, false},
		{ScaleUp{Ready: 2}, false},
		{ScaleUp{Nominated: 0.5, Started: 0.7, Created: 1, Ready: 2}, true},
		{ScaleUp{Started: 0.7, Created: 1, Ready: 2}, true}, // no nominations seen
		{ScaleUp{Nominated: 0.8, Started: 0.7, Created: 1}, false},
		{ScaleUp{Started: 1.5, Created: 1}, false},
	} {
		if got := c.up.InOrder(); got != c.want {
			t.Errorf("%+v.InOrder() = %v, want %v", c.up, got, c.want)
		}
	}
}
