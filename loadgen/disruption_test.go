//go:build e2e

package loadgen

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/localtest"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// realRun plays a scenario (YAML) on a fresh local cluster, bounded by
// limit, and returns the run and its output directory.
func realRun(t *testing.T, yaml string, limit time.Duration) (*results.Run, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("a real run on a local cluster")
	}
	sc, err := scenarios.Parse([]byte(yaml), ".")
	if err != nil {
		t.Fatal(err)
	}
	c := localtest.Start(t, localtest.Options{Spec: clusters.SpecFor(sc), BinDir: localtest.BuildStack(t)})
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	out := t.TempDir()
	res, err := Run(ctx, Config{Scenario: sc, Cluster: c, OutDir: out, Version: "test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	run := res.Measured
	// Every real run keeps the results contract's identities, as the model does.
	if err := run.Identities(); err != nil {
		t.Errorf("counters %v: %v", run.Counters, err)
	}
	return run, out
}

// everySessionAccounted checks that no session was silently lost: each
// disconnect has an outcome, each failed recovery a reason, and the
// counters agree with the journal.
func everySessionAccounted(t *testing.T, run *results.Run, players []Outcome) (ok, failed int64) {
	t.Helper()
	if int64(len(players)) != run.Counters[results.Players] {
		t.Errorf("journal has %d players, counters %d", len(players), run.Counters[results.Players])
	}
	reasons := map[string]int64{}
	for _, p := range players {
		for _, rc := range p.Reconnects {
			if rc.OK {
				ok++
			} else if failed++; rc.Reason == "" {
				t.Errorf("player %s: a failed recovery without a reason", p.Player)
			} else {
				reasons[rc.Reason]++
			}
		}
	}
	if d := run.Counters[results.Disconnects]; ok+failed != d || run.Counters[results.RecoveriesOK] != ok || run.Counters[results.RecoveriesFailed] != failed {
		t.Errorf("counters %v: %d disconnects, journal has %d recovered and %d failed", run.Counters, d, ok, failed)
	}
	for reason, n := range reasons {
		if got := run.Counters[results.RecoveriesFailed+"_"+reason]; got != n {
			t.Errorf("failures for %q: counter %d, journal %d", reason, got, n)
		}
	}
	return ok, failed
}

// pairs is a steady scenario of two-player matches on one big room node,
// no client-side drops: every reconnect comes from the fleet. fleet and
// timeline complete it.
func pairs(name, duration, fleet, timeline string) string {
	return `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: ` + name + `
seed: 5
duration: ` + duration + `
arrivals:
  process: uniform
  segments:
    - constant: {rate: 1}
players:
  perMatch: 2
  matchTimeout: 5s
  sessionLength: {fixed: 25s}
  allocation: {onNoServer: wait, timeout: 20s}
  recoveryWindow: 20s
  disconnect: {probability: 0, backoff: {base: 200ms, max: 1s, jitter: 0.5}}
fleet:
  policy: {minAvailable: {count: 3}}
  syncInterval: 0s # event-driven: no room waits for the autoscaler's tick
  podStartup: {fixed: 0s}
` + fleet + `nodes:
  podsPerNode: 30
  initial: 1
  min: 1
  max: 1
timeline:
` + timeline
}

var deployRun = pairs("drain-deploy", "50s", "  update: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%, drainAllocated: true}}\n",
	"  - {at: 25s, rollingDeploy: {version: v2}}\n")

// TestRollingDeployStorm: a draining rollout disconnects the players of
// every old room in play; they reconnect to the match's new room. The
// reconnect storm sits at the deploy and nowhere else, and every session
// is accounted for.
func TestRollingDeployStorm(t *testing.T) {
	run, out := realRun(t, deployRun, 3*time.Minute)
	ok, failed := everySessionAccounted(t, run, journal(t, out))
	storms, before := results.Storms(run)
	if before != 0 {
		t.Errorf("%v reconnects before the deploy: want none (no client-side drops)", before)
	}
	if len(storms) != 1 || storms[0].Peak <= 0 || storms[0].Event.Kind != "rollingDeploy" {
		t.Fatalf("storms %+v: want one, at the rollout, with reconnects", storms)
	}
	if ok == 0 {
		t.Errorf("no session recovered after the drain (%d failed)", failed)
	}
	t.Logf("storm: %.0f reconnects, peak %.2f/s over %s; recovery ratio %d/%d = %.3f",
		storms[0].Reconnects, storms[0].Peak, storms[0].Duration, ok, ok+failed, float64(ok)/float64(ok+failed))
}

var crashRun = pairs("crash", "40s", "", "  - {at: 20s, crash: {rooms: 3}}\n")

// TestCrashAttributed: three rooms in play are SIGKILLed; their players'
// reconnects are all attributed to the crash's storm, each with an
// outcome (and each failure with its reason).
func TestCrashAttributed(t *testing.T) {
	run, out := realRun(t, crashRun, 3*time.Minute)
	ok, failed := everySessionAccounted(t, run, journal(t, out))
	storms, before := results.Storms(run)
	if len(storms) != 1 || !strings.Contains(storms[0].Event.Detail, "3 rooms killed") {
		t.Fatalf("storms %+v: want the crash of 3 rooms", storms)
	}
	if before != 0 || storms[0].Reconnects != float64(ok+failed) || ok+failed < 3 {
		t.Errorf("storm %+v (%v before): want all %d disconnects (≥ 3: each room had players) at the crash", storms[0], before, ok+failed)
	}
	t.Logf("crash: %d disconnects, %d recovered, failures by reason %v", ok+failed, ok, failureReasons(run))
}

func failureReasons(run *results.Run) map[string]int64 {
	out := map[string]int64{}
	for k, v := range run.Counters {
		if r, found := strings.CutPrefix(k, results.RecoveriesFailed+"_"); found {
			out[r] = v
		}
	}
	return out
}

const burstRun = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: burst
seed: 11
duration: 40s
arrivals:
  process: uniform
  segments:
    - {for: 8s, constant: {rate: 0.25}}
    - {for: 10s, constant: {rate: 2}}
    - constant: {rate: 0.25}
players:
  perMatch: 2
  matchTimeout: 3s
  sessionLength: {fixed: 20s}
  allocation: {onNoServer: wait, timeout: 60s}
  disconnect: {probability: 0}
fleet:
  policy: {minAvailable: {count: 2}}
  syncInterval: 0s # event-driven: no room waits for the autoscaler's tick
  podStartup: {fixed: 0s}
nodes:
  podsPerNode: 3
  initial: 1
  min: 1
  max: 6
  bootTime: {fixed: 2s}
  scaleDownAfter: 10m
`

// TestBurstScaleUp: a burst outgrows the one room node; the autoscaler
// adds nodes, and every added node has each autoscale-lag stage, in
// order — except one added too close to the run's end to finish (its
// stages so far in order), which gives no autoscale_lag sample.
func TestBurstScaleUp(t *testing.T) {
	run, _ := realRun(t, burstRun, 3*time.Minute)
	added := run.Counters[results.NodesAdded]
	if added == 0 {
		t.Fatalf("counters %v: the burst added no node", run.Counters)
	}
	if int64(len(run.ScaleUps)) != added {
		t.Errorf("%d scale-ups recorded for %d nodes added", len(run.ScaleUps), added)
	}
	// A scale-up takes about 1 s batch + 5 s provision + 2 s boot + 1 s
	// for the room (its stages are logged below); allow twice that.
	const lastFull = 40*time.Second - 18*time.Second
	complete := int64(0)
	for _, up := range run.ScaleUps {
		t.Logf("node %s: created %.2fs, Ready %.2fs, pod Running %.2fs, room Ready %.2fs", up.Node, up.Created, up.Ready, up.PodRunning, up.RoomReady)
		at, err := time.ParseDuration(up.At)
		if err != nil {
			t.Fatalf("scale-up at %q: %v", up.At, err)
		}
		trigger := at - time.Duration(up.Created*float64(time.Second))
		if up.InOrder() && up.RoomReady > 0 {
			complete++
			continue
		}
		if trigger < lastFull || !up.InOrder() {
			t.Errorf("scale-up %+v (triggered at %v): want every stage, in order", up, trigger)
		}
	}
	if complete == 0 {
		t.Error("no scale-up reached room Ready")
	}
	if lag := run.Metrics[results.AutoscaleLag]; lag.Count != complete {
		t.Errorf("autoscale_lag %+v: want one sample per node whose room became Ready (%d)", lag, complete)
	}
}
