package matchmaker

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Helpers of the allocations against a real API server: the test in
// allocate_cluster_test.go (e2e) and BenchmarkAllocationHTTP.

// readyRooms creates n room pods that kwok reports Ready, in opsState
// None with an address, as running room servers would publish.
func readyRooms(ctx context.Context, t testing.TB, client kubernetes.Interface, n int) {
	t.Helper()
	for i := range n {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name:        fmt.Sprintf("room-%03d", i),
				Labels:      map[string]string{"app": "roomserver", wire.OpsStateLabel: policy.None.String(), wire.VersionLabel: "v1"},
				Annotations: map[string]string{wire.AddressAnnotation: fmt.Sprintf("127.2.0.%d:7777", i%250+1)},
			},
			Spec: corev1.PodSpec{
				NodeSelector: map[string]string{clusters.PoolLabel: clusters.PoolSystem},
				Containers:   []corev1.Container{{Name: "room", Image: "fleetbench/roomserver:dev"}},
			},
		}
		if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, 2*time.Minute, fmt.Sprintf("%d rooms Ready", n), func() bool {
		list, err := client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: wire.RoomServerSelector})
		if err != nil {
			t.Fatal(err)
		}
		ready := 0
		for i := range list.Items {
			if wire.PodReady(&list.Items[i]) {
				ready++
			}
		}
		return ready == n
	})
}

// matchmakerClient is the matchmaker's own client: allocation is API
// writes, and a client-side rate limit would cap it below the cluster's.
func matchmakerClient(t testing.TB, c *clusters.Cluster) kubernetes.Interface {
	t.Helper()
	cfg, err := c.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = -1, 0 // no client-side limit
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func startMatchmaker(ctx context.Context, t testing.TB, client kubernetes.Interface, cfg Config) *httptest.Server {
	t.Helper()
	alloc := NewAllocator(client, "default", policy.Packed, slog.New(slog.DiscardHandler))
	if err := alloc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s := New(cfg, alloc, slog.New(slog.DiscardHandler))
	go s.Run(ctx)
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return hs
}

func testConfig() Config {
	return Config{PerMatch: 1, OnTimeout: "start", OnNoServer: "fail", Key: []byte("0123456789abcdef"), TokenTTL: time.Minute, MaxQueue: 100000, RetryAfter: time.Second}
}
