package policy

import "testing"

// kruise-game's external scaler (pkg/externalscaler GetMetrics, v1.0.0),
// case by case as its branches read: missing None pods first, then
// WaitToBeDeleted removed, else no change.
func TestScalerAskFollowsKruiseGame(t *testing.T) {
	t.Parallel()
	count := func(n int) MinAvailable { return MinAvailable{Count: n} }
	for _, c := range []struct {
		name string
		p    MinAvailable
		s    ScalerStatus
		want int
	}{
		{"fewer None than minAvailable: 10 + 5 − 2", count(5), ScalerStatus{Replicas: 10, Pods: 10, None: 2}, 13},
		{"enough None, 2 WaitToBeDeleted: 10 − 2", count(5), ScalerStatus{Replicas: 10, Pods: 10, None: 6, WaitToBeDeleted: 2}, 8},
		{"WaitToBeDeleted ignored while None is short", count(5), ScalerStatus{Replicas: 10, Pods: 10, None: 3, WaitToBeDeleted: 4}, 12},
		{"idle None are not scaled down", count(5), ScalerStatus{Replicas: 10, Pods: 10, None: 8}, 10},
		{"fraction 0.5: delta (5 − 2)/0.5 = 6, 8 wanted", MinAvailable{Fraction: 0.5, UseFraction: true}, ScalerStatus{Replicas: 10, Pods: 10, None: 2}, 16},
		{"fraction met: WaitToBeDeleted removed", MinAvailable{Fraction: 0.5, UseFraction: true}, ScalerStatus{Replicas: 10, Pods: 10, None: 6, WaitToBeDeleted: 1}, 9},
		{"demand-aware: waiting requests are not None", MinAvailable{Count: 5, CountWaiting: true}, ScalerStatus{Replicas: 10, Pods: 10, None: 6, WaitingRequests: 3}, 12},
	} {
		if got := c.p.ScalerAsk(c.s); got != c.want {
			t.Errorf("%s: %+v asks %d, want %d", c.name, c.s, got, c.want)
		}
	}
}
