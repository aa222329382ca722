//go:build e2e

package loadgen

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters/localtest"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

func TestMain(m *testing.M) { localtest.Main(m) }

const shortRun = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: short
seed: 3
duration: 20s
arrivals:
  process: uniform
  segments:
    - constant: {rate: 2}
players:
  perMatch: 2
  sessionLength: {fixed: 3s}
  allocation: {onNoServer: wait, timeout: 30s}
  recoveryWindow: 30s
  disconnect: {probability: 0.5, backoff: {base: 200ms, max: 1s}}
fleet:
  policy: {minAvailable: {count: 3}}
  syncInterval: 0s # event-driven: no room waits for the autoscaler's tick
  podStartup: {fixed: 0s}
nodes:
  podsPerNode: 6
  min: 1
  max: 3
  bootTime: {fixed: 1s}
slo:
  timeToRoom: {p99: 8s}
`

// TestShortRealRun plays 39 players through the whole stack and checks
// the results add up: every arrival is a player, every player got a
// room, the journal holds each one.
func TestShortRealRun(t *testing.T) {
	run, out := realRun(t, shortRun, 3*time.Minute)
	sc, _ := scenarios.Parse([]byte(shortRun), ".")
	arrivals := int64(len(modelArrivals(sc)))
	if run.Counters[results.Players] != arrivals {
		t.Errorf("%d players recorded, the schedule has %d", run.Counters[results.Players], arrivals)
	}
	// Pairs form as players arrive; an odd one out would start alone at
	// the match timeout (30 s), after the run's end: it is interrupted, as
	// the model leaves it forming. Allocations count matches.
	if matches := arrivals / 2; run.Counters[results.Allocations] != matches || run.Counters[results.Matches] != matches || run.Counters[results.AllocationFailures] != 0 {
		t.Errorf("counters %v: want %d matches, each allocated", run.Counters, matches)
	}
	// Half the players lose their connection once; each session comes back.
	if d := run.Counters[results.Disconnects]; d == 0 || run.Counters[results.RecoveriesOK] != d {
		t.Errorf("counters %v: want disconnects, every one recovered", run.Counters)
	}
	// The observer saw the fleet: rooms Ready, a node, some cost.
	if v := run.Series.Values[results.SeriesNodes]; len(v) == 0 || v[len(v)-1] < 1 || run.Cost.NodeSeconds <= 0 {
		t.Errorf("nodes series %v, cost %+v: the observer saw no room node", v, run.Cost)
	}
	if run.Metrics[results.PodStartup].Count == 0 {
		t.Error("no pod_startup observed")
	}
	// Every player of a match got a room (the odd one out formed none).
	ttr, ok := run.Metrics[results.TimeToRoom]
	if seated := arrivals / 2 * 2; !ok || ttr.Count != seated {
		t.Errorf("time_to_room %+v: want %d samples", ttr, seated)
	}
	back, err := results.ReadFile(filepath.Join(out, "measured.json"))
	if err != nil || back.Meta.Source != results.SourceMeasured {
		t.Fatalf("measured.json: %v %+v", err, back)
	}
	if lines := int64(len(journal(t, out))); lines != arrivals {
		t.Errorf("journal has %d players, want %d", lines, arrivals)
	}
	t.Logf("time_to_room p50 %.3f s p99 %.3f s over %d players; %d disconnects, %d recovered", ttr.P50, ttr.P99, ttr.Count, run.Counters[results.Disconnects], run.Counters[results.RecoveriesOK])
}
