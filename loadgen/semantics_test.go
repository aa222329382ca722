//go:build e2e

package loadgen

import (
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// tickRun: OpenKruiseGame's autoscaler polls every 10 s; finished rooms
// are recycled (WaitToBeDeleted keeps its pod until the next poll), so
// matches wait for the tick once the buffer of 2 is spent.
const tickRun = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: tick
seed: 13
duration: 40s
arrivals:
  process: uniform
  segments:
    - constant: {rate: 1}
players:
  perMatch: 2
  matchTimeout: 5s
  sessionLength: {fixed: 8s}
  allocation: {onNoServer: wait, timeout: 30s}
  disconnect: {probability: 0}
fleet:
  policy: {minAvailable: {count: 2}}
  syncInterval: 10s
  afterMatch: recycle
  podStartup: {fixed: 0s}
nodes:
  podsPerNode: 30
  initial: 1
  min: 1
  max: 1
`

// TestAutoscalerTickAsModelled: the stack's fleet controller consults
// its policy on the tick only, as the model does — so where the model
// says matches wait for the autoscaler, they do on the cluster too (a
// controller reacting to every change would hide it).
func TestAutoscalerTickAsModelled(t *testing.T) {
	sc, err := scenarios.Parse([]byte(tickRun), ".")
	if err != nil {
		t.Fatal(err)
	}
	model, err := sim.Run(t.Context(), sc, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if model.Counters[results.AllocationWaits] == 0 {
		t.Fatalf("model counters %v: the scenario should make matches wait for the tick", model.Counters)
	}
	run, _ := realRun(t, tickRun, 3*time.Minute)
	waits, wait := run.Counters[results.AllocationWaits], run.Metrics[results.AllocWait]
	if waits == 0 || wait.P90 < 1 {
		t.Errorf("measured: %d allocations waited, alloc_wait p90 %.3f s; the model has %d waits, p90 %.3f s",
			waits, wait.P90, model.Counters[results.AllocationWaits], model.Metrics[results.AllocWait].P90)
	}
	t.Logf("allocations that waited: model %d of %d, measured %d of %d; alloc_wait p90 model %.2f s, measured %.2f s",
		model.Counters[results.AllocationWaits], model.Counters[results.Allocations], waits, run.Counters[results.Allocations],
		model.Metrics[results.AllocWait].P90, wait.P90)
}
