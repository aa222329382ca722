//go:build okg

package okg_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/loadgen"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// underOKG: a match every 10 s (a player every 5 s, pairs), sessions of
// 40 s, recycled rooms, minAvailable 3 through the emitted ScaledObject:
// every sync that finds fewer than 3 None rooms asks for the missing
// ones, and recycled rooms go at a sync that finds 3.
const underOKG = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: okg-stack
seed: 3
duration: 150s
arrivals:
  process: uniform
  segments:
    - constant: {rate: 0.2}
players:
  perMatch: 2
  matchTimeout: 10s
  sessionLength: {fixed: 40s}
  allocation: {onNoServer: wait, timeout: 60s}
  recoveryWindow: 30s
  disconnect: {probability: 0, backoff: {base: 200ms, max: 1s, jitter: 0.5}}
fleet:
  controller: okg
  policy: {minAvailable: {count: 3, max: 20}}
  syncInterval: 15s
  podStartup: {fixed: 0s}
  afterMatch: recycle
  idleTimeout: 10m
  update: {onDelete: {}}
nodes:
  podsPerNode: 24
  initial: 1
  min: 1
  max: 1
`

// TestStackUnderOKG: the whole stack with the rooms under OpenKruiseGame
// (the emitted GameServerSet and ScaledObject, kruise-game's scaler,
// KEDA and the real HPA): room servers publish on their GameServers, the
// matchmaker claims them by test-and-set, recycled rooms are deleted by
// the GameServerSet, and the measured run agrees with the model of the
// run (the model check's tolerances; the rooms' server-seconds within
// 15%).
func TestStackUnderOKG(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a kind cluster with OpenKruiseGame")
	}
	sc, err := scenarios.Parse([]byte(underOKG), ".")
	if err != nil {
		t.Fatal(err)
	}
	spec := clusters.SpecFor(sc)
	if spec.Controller != clusters.ControllerOKG {
		t.Fatalf("SpecFor: controller %q for fleet.controller okg", spec.Controller)
	}
	spec.Name = fmt.Sprintf("fbokgs-%d", os.Getpid())
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	p, kubeconfig := upWithOKG(ctx, t, spec)
	res, err := loadgen.Run(ctx, loadgen.Config{Scenario: sc, Cluster: clusters.New(p, slog.New(slog.DiscardHandler)), OutDir: t.TempDir(),
		Version: "test", Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	run, model := res.Measured, res.ModelOfRun
	t.Logf("measured counters %v", run.Counters)
	t.Logf("model of the run  %v", model.Counters)
	for _, k := range []string{results.Players, results.Allocations} {
		if run.Counters[k] == 0 || run.Counters[k] != model.Counters[k] {
			t.Errorf("%s: measured %d, the model %d", k, run.Counters[k], model.Counters[k])
		}
	}
	check := results.CheckModel(model, run)
	for _, d := range check.Deviations {
		t.Logf("%s", d)
	}
	for _, d := range check.Failed() {
		t.Errorf("outside its tolerance: %s", d)
	}
	ms, mm := run.Cost.ServerSeconds, model.Cost.ServerSeconds
	t.Logf("room server-seconds: measured %.0f, the model %.0f (%+.1f%%)", ms, mm, 100*(ms-mm)/mm)
	if math.Abs(ms-mm) > 0.15*mm {
		t.Errorf("room server-seconds measured %.0f, the model %.0f: more than 15%% apart", ms, mm)
	}
	checkGameServers(ctx, t, kubeconfig, run.Counters[results.Allocations])
}

// checkGameServers: the rooms are GameServers whose opsState the stack
// wrote there: every allocated room was recycled on its GameServer (the
// run's end closes the last matches, so none is left Allocated); and on
// this API server the matchmaker's test-and-set claims a None GameServer
// once, a second claim failing its test with 422 (which the allocator
// counts as a lost race).
func checkGameServers(ctx context.Context, t *testing.T, kubeconfig string, allocations int64) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(cfg).Resource(wire.GameServers).Namespace(manifests.Namespace)
	list, err := dyn.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int64{}
	var free string
	for _, gs := range list.Items {
		s, _, _ := unstructured.NestedString(gs.Object, "spec", "opsState")
		states[s]++
		if s == "None" {
			free = gs.GetName()
		}
	}
	t.Logf("GameServers at the end: %v", states)
	if got := states["WaitToBeDeleted"] + states["Allocated"]; got != allocations {
		t.Errorf("%d GameServers Allocated or recycled, want the %d allocations", got, allocations)
	}
	if free == "" {
		t.Fatal("no None GameServer left to claim")
	}
	claim := []byte(`[{"op":"test","path":"/spec/opsState","value":"None"},{"op":"replace","path":"/spec/opsState","value":"Allocated"}]`)
	if _, err := dyn.Patch(ctx, free, types.JSONPatchType, claim, metav1.PatchOptions{}); err != nil {
		t.Fatalf("claiming None GameServer %s: %v", free, err)
	}
	_, err = dyn.Patch(ctx, free, types.JSONPatchType, claim, metav1.PatchOptions{})
	if !apierrors.IsInvalid(err) {
		t.Errorf("a second claim of %s: %v, want 422 Invalid (the failed test)", free, err)
	}
	t.Logf("a second claim of %s: %v", free, err)
}

// upWithOKG brings up a kind cluster of spec with OpenKruiseGame (skipped
// where kind cannot run), removed when the test ends.
func upWithOKG(ctx context.Context, t *testing.T, spec clusters.Spec) (*kind.Cluster, string) {
	t.Helper()
	if err := exec.Command("docker", "version").Run(); err != nil || os.Geteuid() != 0 {
		t.Skip("needs a Docker daemon and root (the offline kind node image)")
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	p, err := kind.New(kind.Options{Spec: spec, Kubeconfig: kubeconfig, Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Down(context.Background()) })
	start := time.Now()
	if err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("kind with OpenKruiseGame up in %s", time.Since(start).Round(time.Second))
	return p, kubeconfig
}
