package matchmaker

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/fleetbench/fleetbench/policy"
)

// TestWaitingChangeLongPolls: a long poll answers as soon as a match
// starts waiting (what lets fleetd's demand-aware policy act at once), and
// after its deadline with the count unchanged.
func TestWaitingChangeLongPolls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAllocator(fake.NewClientset(), "default", policy.Packed, slog.New(slog.DiscardHandler))
		got := make(chan int64, 1)
		go func() { got <- a.WaitingChange(context.Background(), 0) }()
		synctest.Wait()
		select {
		case n := <-got:
			t.Fatalf("answered %d before anything changed", n)
		default:
		}
		a.mu.Lock()
		a.addWaitingLocked(1)
		a.mu.Unlock()
		if n := <-got; n != 1 {
			t.Errorf("answered %d, want 1", n)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if n := a.WaitingChange(ctx, 1); n != 1 {
			t.Errorf("deadline: answered %d, want the unchanged 1", n)
		}
	})
}
