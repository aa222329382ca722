package matchmaker

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// TestWaitingMatchesGetRoomsInArrivalOrder: a room that becomes free goes
// to the match that has waited longest, as the model's FIFO queue gives
// it. Before, every waiter woke and raced for the room, so the median
// wait of a burst came out shorter and its tail longer than the model's.
func TestWaitingMatchesGetRoomsInArrivalOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	client, alloc := fakeAllocator(ctx, t)
	const n = 8
	got := make(chan string, n)
	for i := range n {
		match := fmt.Sprintf("m%d", i)
		go func() {
			if _, err := alloc.Allocate(ctx, match, true); err != nil {
				got <- "error: " + err.Error()
				return
			}
			got <- match
		}()
		// The next match asks only once this one waits.
		if w := alloc.WaitingChange(ctx, int64(i)); w != int64(i+1) {
			t.Fatalf("%d matches waiting, want %d", w, i+1)
		}
	}
	for i := range n {
		readyRoom(ctx, t, client, i)
		if want, g := fmt.Sprintf("m%d", i), <-got; g != want {
			t.Fatalf("room %d went to %s, want %s (the longest waiting)", i, g, want)
		}
	}
	if w := alloc.Waiting(); w != 0 {
		t.Fatalf("%d matches still counted waiting", w)
	}
}

// TestAGivenUpWaiterLeavesTheQueue: a match whose wait ends (its
// allocation timeout) leaves the queue, so the one behind it gets the next
// room.
func TestAGivenUpWaiterLeavesTheQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	client, alloc := fakeAllocator(ctx, t)
	quitter, quit := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { _, err := alloc.Allocate(quitter, "first", true); gaveUp <- err }()
	alloc.WaitingChange(ctx, 0)
	second := make(chan error, 1)
	go func() { _, err := alloc.Allocate(ctx, "second", true); second <- err }()
	alloc.WaitingChange(ctx, 1)
	quit()
	if err := <-gaveUp; err == nil {
		t.Fatal("a cancelled wait got a room")
	}
	readyRoom(ctx, t, client, 0)
	if err := <-second; err != nil {
		t.Fatalf("the match behind one that gave up: %v", err)
	}
}

// fakeAllocator is an allocator watching a fake API server's pods.
func fakeAllocator(ctx context.Context, t *testing.T) (*fake.Clientset, *Allocator) {
	t.Helper()
	client := fake.NewClientset()
	alloc := NewAllocator(client, "default", policy.Packed, slog.New(slog.DiscardHandler))
	if err := alloc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return client, alloc
}

// readyRoom creates room i Ready and free, as a started room server and
// its kubelet would leave it.
func readyRoom(ctx context.Context, t *testing.T, client *fake.Clientset, i int) {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        fmt.Sprintf("room-%03d", i),
			Namespace:   "default",
			Labels:      map[string]string{"app": "roomserver", wire.OpsStateLabel: policy.None.String(), wire.VersionLabel: "v1"},
			Annotations: map[string]string{wire.AddressAnnotation: fmt.Sprintf("127.2.0.%d:7777", i+1)},
		},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestAMatchLeavesTheWaitingCountBeforeItsClaim: while the claim's patch
// is on its way, the match no longer counts as waiting. fleetd reads the
// room Allocated from its informer and then the count; a match in both
// started an extra pod.
func TestAMatchLeavesTheWaitingCountBeforeItsClaim(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	client, alloc := fakeAllocator(ctx, t)
	during := make(chan int64, 1)
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		during <- alloc.Waiting()
		return false, nil, nil
	})
	done := make(chan error, 1)
	go func() { _, err := alloc.Allocate(ctx, "m", true); done <- err }()
	alloc.WaitingChange(ctx, 0)
	readyRoom(ctx, t, client, 0)
	if n := <-during; n != 0 {
		t.Errorf("%d matches counted waiting while the claim was sent, want 0", n)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
