//go:build e2e

package onkind

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind"
	"github.com/fleetbench/fleetbench/loadgen"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// crashAndRollout: pairs on one room node of 24, a room crash at 10 s and
// a draining rollout at 20 s, no client-side drops: every disconnect
// comes from the timeline. Sessions last 60 s, so the rollout drains the
// rooms in play however slowly kind starts their replacements: the model
// has 10–14 disconnects for a pod start of 0–12 s.
const crashAndRollout = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: kind-crash-rollout
seed: 7
duration: 70s
arrivals:
  process: uniform
  segments:
    - constant: {rate: 0.5}
players:
  perMatch: 2
  matchTimeout: 5s
  sessionLength: {fixed: 60s}
  allocation: {onNoServer: wait, timeout: 30s}
  recoveryWindow: 30s
  disconnect: {probability: 0, backoff: {base: 200ms, max: 1s, jitter: 0.5}}
fleet:
  policy: {minAvailable: {count: 3}}
  syncInterval: 0s
  podStartup: {fixed: 0s}
  update: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%, drainAllocated: true}}
nodes:
  podsPerNode: 24
  initial: 1
  min: 1
  max: 1
timeline:
  - {at: 10s, crash: {rooms: 1}}
  - {at: 20s, rollingDeploy: {version: v2}}
`

// needsDocker skips, with one line, where kind cannot run.
func needsDocker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("creates a kind cluster")
	}
	if err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").Run(); err != nil {
		t.Skip("no Docker daemon answers: the kind tests need one")
	}
	if os.Geteuid() != 0 {
		t.Skip("the offline kind node image is built with debootstrap, which needs root")
	}
}

// TestRunOnKind: the offline node image, a kind cluster, the stack, a
// short run with a crash and a rolling deploy, then down leaving nothing.
func TestRunOnKind(t *testing.T) {
	needsDocker(t)
	sc, err := scenarios.Parse([]byte(crashAndRollout), ".")
	if err != nil {
		t.Fatal(err)
	}
	spec := clusters.SpecFor(sc)
	spec.Name = fmt.Sprintf("fbtest-%d", os.Getpid())
	p, err := kind.New(kind.Options{Spec: spec, Kubeconfig: filepath.Join(t.TempDir(), "kubeconfig"), Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	volumesBefore := dockerLines(t, "volume", "ls", "-q")
	downed := false
	t.Cleanup(func() {
		if !downed {
			p.Down(context.Background())
		}
	})
	start := time.Now()
	if err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("kind cluster up (image built or reused) in %s", time.Since(start).Round(time.Second))
	c := clusters.New(p, slog.New(slog.DiscardHandler))
	out := t.TempDir()
	res, err := loadgen.Run(ctx, loadgen.Config{Scenario: sc, Cluster: c, OutDir: out, Version: "test", Logger: slog.New(slog.DiscardHandler), InputEvery: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	run := res.Measured
	checkRun(t, sc, run)
	logFailedReconnects(t, filepath.Join(out, "players.ndjson"))

	start = time.Now()
	downed = true
	if err := p.Down(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("kind cluster down in %s", time.Since(start).Round(time.Second))
	if left := dockerLines(t, "ps", "-a", "--filter", "name="+spec.Name, "--format", "{{.Names}}"); len(left) > 0 {
		t.Errorf("containers left after down: %v", left)
	}
	if left := newLines(volumesBefore, dockerLines(t, "volume", "ls", "-q")); len(left) > 0 {
		t.Errorf("volumes left after down: %v", left)
	}
	if exec.Command("docker", "network", "inspect", "fleetbench-kind-"+spec.Name).Run() == nil {
		t.Error("the cluster's network is left after down")
	}
	if routes, _ := exec.Command("ip", "route", "show", kind.PodSubnet).Output(); strings.TrimSpace(string(routes)) != "" {
		t.Errorf("routes to the pods left after down: %s", routes)
	}
}

// checkRun: players matched and seated, the counters the model's, and
// the crash's and the rollout's disconnects every one recovered.
//
// The timing of the rollout's storm is not compared with the model of
// this run: kind starts a batch of rooms much slower than one (on 2
// cores, 8 rollout rooms took ~12 s to turn Ready where a lone room
// takes ~2 s), and the calibration takes the median start (see the
// README's kind section).
func checkRun(t *testing.T, sc *scenarios.Scenario, run *results.Run) {
	t.Helper()
	model, err := sim.Run(context.Background(), sc, sim.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Identities(); err != nil {
		t.Errorf("counters %v: %v", run.Counters, err)
	}
	for _, k := range []string{results.Players, results.Matches} {
		if got, want := run.Counters[k], model.Counters[k]; got != want {
			t.Errorf("%s: measured %d, the model %d", k, got, want)
		}
	}
	// Matches formed near the end may still wait for a starting room.
	if got, want := run.Counters[results.Allocations], model.Counters[results.Allocations]; float64(got) < 0.8*float64(want) {
		t.Errorf("allocations: measured %d, the model %d", got, want)
	}
	if !strings.Contains(run.Meta.NotMeasured, "node autoscaling") {
		t.Errorf("meta.notMeasured %q: a run on kind must say that node autoscaling is not measured", run.Meta.NotMeasured)
	}
	if run.Counters[results.AllocationFailures] != 0 {
		t.Errorf("allocation failures %d, want none", run.Counters[results.AllocationFailures])
	}
	// Every disconnect recovered: a drained room's players go to the
	// matchmaker at once (a gone pod's address drops a dial on kind's pod
	// network; waiting on it once cost sessions their recovery window).
	d := run.Counters[results.Disconnects]
	if ok := run.Counters[results.RecoveriesOK]; ok != d {
		t.Errorf("counters %v: want every disconnect recovered", run.Counters)
	}
	if run.Calibration == nil {
		t.Fatal("a real run on kind carries no calibration")
	}
	ofRun, err := sim.Run(context.Background(), sc, sim.Options{Version: "test", Overheads: run.Calibration})
	if err != nil {
		t.Fatal(err)
	}
	storms, before := results.Storms(run)
	predicted, _ := results.Storms(ofRun)
	if before != 0 {
		t.Errorf("%v reconnects before the crash: every disconnect must come from the timeline", before)
	}
	if d < 8 {
		t.Errorf("%d disconnects: want the crashed room's 2 and the drained rooms' (the model: 10–14 for a pod start of 0–12 s)", d)
	}
	ttr := run.Metrics[results.TimeToRoom]
	ps := run.Metrics[results.PodStartup]
	t.Logf("kind: %d players, time_to_room p50 %.3f s p99 %.3f s; %d disconnects, storms %v (model of this run %v); pod start p50 %.2f s p90 %.2f s",
		run.Counters[results.Players], ttr.P50, ttr.P99, d, stormSizes(storms), stormSizes(predicted), ps.P50, ps.P90)
}

// logFailedReconnects prints each failed reconnect from the journal with
// the client's last error, so that a failure on kind names its cause.
func logFailedReconnects(t *testing.T, journal string) {
	t.Helper()
	f, err := os.Open(journal)
	if err != nil {
		t.Errorf("journal: %v", err)
		return
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for {
		var o loadgen.Outcome
		if err := dec.Decode(&o); err != nil {
			if err != io.EOF {
				t.Errorf("journal: %v", err)
			}
			return
		}
		for _, rc := range o.Reconnects {
			if !rc.OK {
				t.Logf("failed reconnect: player %s of match %s (room %s) at %.1f s after %.1f s: %s: %s", o.Player, o.Match, o.Room, rc.At, rc.Latency, rc.Reason, rc.Error)
			}
		}
	}
}

func stormSizes(storms []results.Storm) []float64 {
	var out []float64
	for _, s := range storms {
		out = append(out, s.Reconnects)
	}
	return out
}

func dockerLines(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("docker", args...).Output()
	if err != nil {
		t.Fatalf("docker %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

func newLines(before, after []string) []string {
	seen := map[string]bool{}
	for _, b := range before {
		seen[b] = true
	}
	var out []string
	for _, a := range after {
		if !seen[a] {
			out = append(out, a)
		}
	}
	return out
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
