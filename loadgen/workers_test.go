package loadgen

import (
	"context"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/localtest"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// twoWays: players arrive for 20 s and every session (3 s, one drop in
// two) is over well before the end, so which players exist, match,
// drop and recover is fixed by the seed, not by timing.
const twoWays = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: two-ways
seed: 5
duration: 35s
arrivals:
  process: uniform
  segments:
    - constant: {rate: 3}
      for: 20s
    - constant: {rate: 0}
players:
  perMatch: 2
  sessionLength: {fixed: 3s}
  allocation: {onNoServer: wait, timeout: 30s}
  recoveryWindow: 30s
  disconnect: {probability: 0.5, backoff: {base: 200ms, max: 1s}}
fleet:
  policy: {minAvailable: {count: 6}}
  syncInterval: 0s
  podStartup: {fixed: 0s}
nodes:
  podsPerNode: 8
  min: 2
  max: 3
  bootTime: {fixed: 1s}
slo:
  timeToRoom: {p99: 8s}
`

// TestWorkersMeasureWhatOneProcessMeasures runs one scenario in process
// and as an Indexed Job of 3 worker pods on the same cluster: the counters
// are equal exactly, and time to room has the same distribution (a
// two-sample Kolmogorov–Smirnov test at 1%).
func TestWorkersMeasureWhatOneProcessMeasures(t *testing.T) {
	if testing.Short() {
		t.Skip("two real runs on a local cluster")
	}
	sc, err := scenarios.Parse([]byte(twoWays), ".")
	if err != nil {
		t.Fatal(err)
	}
	c := localtest.Start(t, localtest.Options{Spec: clusters.SpecFor(sc), BinDir: localtest.BuildStack(t)})
	run := func(workers int) *results.Run {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		r, err := Run(ctx, Config{Scenario: sc, Cluster: c, OutDir: t.TempDir(), Version: "test", Logger: slog.New(slog.DiscardHandler),
			Workers: workers, WorkerResources: DefaultWorkerResources()})
		if err != nil {
			t.Fatalf("%d workers: %v", workers, err)
		}
		if err := r.Identities(); err != nil {
			t.Errorf("%d workers: counters %v: %v", workers, r.Counters, err)
		}
		return r
	}
	alone, spread := run(0), run(3)
	for k, v := range alone.Counters {
		if spread.Counters[k] != v {
			t.Errorf("counter %s: %d in process, %d with 3 workers", k, v, spread.Counters[k])
		}
	}
	if len(spread.Counters) != len(alone.Counters) {
		t.Errorf("counters in process %v, with workers %v", alone.Counters, spread.Counters)
	}
	if alone.Counters[results.Players] < 55 || alone.Counters[results.Disconnects] == 0 {
		t.Fatalf("counters %v: the scenario should seat ~60 players and drop some", alone.Counters)
	}
	a, _ := alone.Histogram(results.TimeToRoom)
	b, _ := spread.Histogram(results.TimeToRoom)
	d := results.KS(a, b)
	// Critical D at α = 0.01 for samples of n and m: 1.63·√((n+m)/(n·m)).
	n, m := float64(a.Count()), float64(b.Count())
	if crit := 1.63 * math.Sqrt((n+m)/(n*m)); d > crit {
		t.Errorf("time_to_room KS D %.3f > %.3f: in process %+v, workers %+v", d, crit, alone.Metrics[results.TimeToRoom], spread.Metrics[results.TimeToRoom])
	}
	t.Logf("time_to_room in process p50 %.3f p99 %.3f; 3 workers p50 %.3f p99 %.3f; KS D %.3f over %d/%d",
		alone.Metrics[results.TimeToRoom].P50, alone.Metrics[results.TimeToRoom].P99,
		spread.Metrics[results.TimeToRoom].P50, spread.Metrics[results.TimeToRoom].P99, d, a.Count(), b.Count())
}
