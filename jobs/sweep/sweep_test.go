//go:build e2e

package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/localtest"
	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/sim"
)

func TestMain(m *testing.M) { localtest.Main(m) }

// TestClusterSweepIsTheLocalSweep: a 3 × 2 grid with 3 replications (18
// runs) on an Indexed Job of 4 worker pods of a local cluster gives a
// sweep.json byte for byte the local sweep's, and leaves nothing behind.
func TestClusterSweepIsTheLocalSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("a sweep on a local cluster")
	}
	doc, err := os.ReadFile("testdata/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	axes := []sim.Axis{{Path: "fleet.policy.buffer.size", From: 2, To: 6, Step: 2}, {Path: "players.disconnect.probability", From: 0, To: 0.2, Step: 0.2}}
	for i, s := range []string{"fleet.policy.buffer.size=2:6:2", "players.disconnect.probability=0:0.2:0.2"} {
		if a, err := sim.ParseAxis(s); err != nil || a != axes[i] {
			t.Fatalf("axis %s: %+v %v", s, a, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	local, err := sim.Sweep(ctx, doc, ".", axes, 3, 0, sim.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := clusterConfig(ctx, t, "sweep-test", 4)
	client := cfg.Client
	remote, err := sim.Sweep(ctx, doc, ".", axes, 3, 0, sim.Options{Version: "test", RunJobs: cfg.RunJobs(Sweep{Doc: doc, Axes: axes, Reps: 3, Version: "test"})})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.MarshalIndent(local, "", " ")
	b, _ := json.MarshalIndent(remote, "", " ")
	if !bytes.Equal(a, b) {
		t.Errorf("sweep.json differs:\nlocal  %s\ncluster %s", a, b)
	}
	// The namespace it created goes (Terminating until its objects are).
	if ns, err := client.CoreV1().Namespaces().Get(ctx, "sweep-test", metav1.GetOptions{}); err == nil && ns.DeletionTimestamp == nil {
		t.Error("the sweep's namespace is still there")
	}
	// More workers than the nodes can take is refused before any work.
	cfg.Workers = 500
	if err := cfg.Check(ctx); !errors.Is(err, ErrWorkers) {
		t.Errorf("500 workers of 500m: %v, want ErrWorkers", err)
	} else {
		t.Log(err)
	}
}

// clusterConfig starts a local cluster that runs bin/sim as worker pods
// and returns a checked Config for workers pods of 500m in namespace ns.
func clusterConfig(ctx context.Context, t *testing.T, ns string, workers int) Config {
	t.Helper()
	c := localtest.Start(t, localtest.Options{Spec: clusters.DefaultSpec(), BinDir: localtest.BuildStack(t, "sim")})
	client, err := c.Client()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Client: client, Namespace: ns, Workers: workers, Logger: slog.New(slog.DiscardHandler),
		Resources: jobs.Resources{CPU: resource.MustParse("500m"), Memory: resource.MustParse("128Mi")}}
	if err := cfg.Check(ctx); err != nil {
		t.Fatal(err)
	}
	return cfg
}
