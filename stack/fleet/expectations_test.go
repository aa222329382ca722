package fleet

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/policy"
)

// TestExpectationsCountRoomsNotYetSeen: a reconcile that runs before the
// cache shows the rooms the last one created must not create them again.
func TestExpectationsCountRoomsNotYetSeen(t *testing.T) {
	now := time.Now()
	e := newExpectations()
	buffer := policy.AgonesBuffer{Size: 2}
	plan := Decide(e.pending(now, nil), buffer, Update{OnDelete: true}, 0, 0, 0)
	if plan.Create != 2 {
		t.Fatalf("empty fleet: create %d, want 2", plan.Create)
	}
	for _, name := range []string{"a", "b"} {
		e.created[name] = expected{at: now, state: Room{Name: name, State: policy.None, Current: true}}
	}
	// The cache shows only "a" so far.
	rooms := []Room{{Name: "a", State: policy.None, Current: true}}
	e.observe(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "a"}})
	rooms = append(rooms, e.pending(now, map[string]bool{"a": true})...)
	if plan := Decide(rooms, buffer, Update{OnDelete: true}, 0, 0, 0); plan.Create != 0 {
		t.Errorf("with b created but not yet seen: create %d, want 0", plan.Create)
	}
	// An expectation that is never met expires.
	if got := e.pending(now.Add(expectationTTL+time.Second), nil); len(got) != 0 {
		t.Errorf("after the TTL: %d rooms still expected", len(got))
	}
	// A room this controller deleted is not counted while the cache lags.
	e.deleted["c"] = now
	if !e.observe(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "c"}}) {
		t.Error("a deleted room still in the cache is counted")
	}
}
