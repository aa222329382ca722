package matchmaker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestRejoinAfterTheReplacementIsLost: a match whose room crashed gets a
// replacement, which both its players are sent to; when the replacement
// is lost in turn (a rollout drains it), the next rejoin gets a new room,
// not the lost one again.
func TestRejoinAfterTheReplacementIsLost(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := fake.NewClientset()
	for i := range 3 {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("room-%d", i), Namespace: "default",
				Labels:      map[string]string{"app": "roomserver", wire.OpsStateLabel: policy.None.String(), wire.VersionLabel: "v1"},
				Annotations: map[string]string{wire.AddressAnnotation: fmt.Sprintf("127.2.0.%d:7777", i+1)}},
			Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
		}
		if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	alloc := NewAllocator(client, "default", policy.Packed, slog.New(slog.DiscardHandler))
	if err := alloc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(New(testConfig(), alloc, slog.New(slog.DiscardHandler)).Handler())
	defer hs.Close()
	rejoin := func(player string) string {
		t.Helper()
		body, _ := json.Marshal(wire.MatchRequest{Player: player, Match: "m1"})
		resp, err := http.Post(hs.URL+wire.RejoinPath, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a wire.Assignment
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("rejoin %s: %d %v", player, resp.StatusCode, err)
		}
		return a.Room
	}
	first := rejoin("p1")
	if again := rejoin("p2"); again != first {
		t.Fatalf("the match's players were split: %s and %s", first, again)
	}
	if err := client.CoreV1().Pods("default").Delete(ctx, first, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 10*time.Second, "the view drops the lost room", func() bool { return !alloc.Serving(first) })
	next := rejoin("p1")
	if next == first {
		t.Fatalf("rejoin after %s was lost sent the player back to it", first)
	}
	if again := rejoin("p2"); again != next {
		t.Errorf("after the second loss the players were split: %s and %s", next, again)
	}
}
