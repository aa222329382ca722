package onkind

import (
	"context"
	"fmt"
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

// crashAndRollout: pairs on one room node of 16, a room crash at 12 s and
// a draining rollout at 30 s, no client-side drops: every disconnect
// comes from the timeline (the model: 2 at the crash, 24 at the rollout).
const crashAndRollout = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: kind-crash-rollout
seed: 7
duration: 50s
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
  syncInterval: 0s
  podStartup: {fixed: 0s}
  update: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%, drainAllocated: true}}
nodes:
  podsPerNode: 16
  initial: 1
  min: 1
  max: 1
timeline:
  - {at: 12s, crash: {rooms: 1}}
  - {at: 30s, rollingDeploy: {version: v2}}
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
	run, err := loadgen.Run(ctx, loadgen.Config{Scenario: sc, Cluster: c, OutDir: out, Version: "test", Logger: slog.New(slog.DiscardHandler), InputEvery: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, sc, run)

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

// checkRun: players matched and seated, the crash's and the rollout's
// disconnects all recovered, and the counters the model's.
func checkRun(t *testing.T, sc *scenarios.Scenario, run *results.Run) {
	t.Helper()
	model, err := sim.Run(context.Background(), sc, sim.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Identities(); err != nil {
		t.Errorf("counters %v: %v", run.Counters, err)
	}
	for _, k := range []string{results.Players, results.Matches, results.Allocations} {
		if got, want := run.Counters[k], model.Counters[k]; got != want {
			t.Errorf("%s: measured %d, the model %d", k, got, want)
		}
	}
	if run.Counters[results.AllocationFailures] != 0 {
		t.Errorf("allocation failures %d, want none", run.Counters[results.AllocationFailures])
	}
	d := run.Counters[results.Disconnects]
	if run.Counters[results.RecoveriesOK] != d {
		t.Errorf("counters %v: want every disconnect recovered", run.Counters)
	}
	// Each disruption has its storm: the crash's players and the rollout's
	// (every room in play drains), and none before.
	storms, before := results.Storms(run)
	if len(storms) != 2 || before != 0 {
		t.Fatalf("storms %+v (%v reconnects before any): want one at the crash and one at the rollout", storms, before)
	}
	if storms[0].Reconnects < 2 || storms[1].Reconnects < float64(model.Counters[results.Disconnects])/2 {
		t.Errorf("storms: crash %v, rollout %v reconnects; the model has %d disconnects in all (2 at the crash)",
			storms[0].Reconnects, storms[1].Reconnects, model.Counters[results.Disconnects])
	}
	if ttr := run.Metrics[results.TimeToRoom]; ttr.Count == 0 {
		t.Error("no time_to_room samples")
	} else {
		t.Logf("kind: %d players, time_to_room p50 %.3f s p99 %.3f s; %d disconnects, %d recovered (model: %d disconnects)",
			run.Counters[results.Players], ttr.P50, ttr.P99, d, run.Counters[results.RecoveriesOK], model.Counters[results.Disconnects])
	}
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
