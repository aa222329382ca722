package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/internal/cli"
)

// interruptRun: 5 minutes of pairs on one room node, long enough for any
// test to stop it first (the real runs of interrupt_test.go and
// dies_test.go, e2e; the refusals here).
const interruptRun = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: interrupted
seed: 4
duration: 5m
arrivals:
  process: uniform
  segments:
    - constant: {rate: 2}
players:
  perMatch: 2
  sessionLength: {fixed: 2s}
fleet:
  policy: {minAvailable: {count: 3}}
  syncInterval: 0s # event-driven: no room waits for the autoscaler's tick
  podStartup: {fixed: 0s}
nodes:
  podsPerNode: 20
  initial: 1
  min: 1
  max: 1
`

func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"fly"}, `unknown command "fly"`},
		{[]string{"cluster"}, "needs a subcommand"},
		{[]string{"cluster", "explode"}, `unknown cluster subcommand "explode"`},
		{[]string{"cluster", "up", "--image", "redis"}, "want IMAGE=COMMAND"},
		{[]string{"cluster", "up", "--provider", "eks"}, `--provider "eks": want one of [local kind kube]`},
		{[]string{"cluster", "up", "--scenario", "no/such.yaml"}, "scenario"},
		{[]string{"cluster", "status", "extra"}, `unexpected argument "extra"`},
		{[]string{"cluster", "up", "--controller", "agones"}, `--controller "agones": want fleetd or okg`},
		{[]string{"cluster", "up", "--controller", "okg"}, "installed on kind only, not on local"},
		// The scenario's controller is the default: no flag, no conflict.
		{[]string{"cluster", "up", "--scenario", "../../scenarios/suite/peak-okg-short.yaml"}, "fleet.controller okg: the okg controller (OpenKruise, kruise-game, KEDA) is installed on kind only, not on local"},
		{[]string{"run", "../../scenarios/suite/peak-okg-short.yaml"}, "fleet.controller okg: the okg controller (OpenKruise, kruise-game, KEDA) is installed on kind only, not on local"},
		{[]string{"cluster", "up", "--scenario", "../../scenarios/suite/peak-okg-short.yaml", "--controller", "fleetd"}, "--controller fleetd: the scenario's fleet.controller is okg"},
		{[]string{"cluster", "up", "--scenario", "../../scenarios/suite/peak-fleetd-short.yaml", "--controller", "okg", "--provider", "kind"}, "--controller okg: the scenario's fleet.controller is fleetd"},
		{[]string{"cluster", "up", "--controller", "okg", "--provider", "kube"}, "installed on kind only, not on kube"},
		{[]string{"cluster", "build", "--controller", "agones"}, `--controller "agones": cluster build knows fleetd and okg`},
	} {
		code, out, errb := runArgs(tc.args...)
		if code != cli.Usage || !strings.Contains(out+errb, tc.want) {
			t.Errorf("loadgen %v: exit %d, output %q; want %d (usage) and %q", tc.args, code, out+errb, cli.Usage, tc.want)
		}
	}
}

func TestStatusWithNothingUp(t *testing.T) {
	code, out, _ := runArgs("cluster", "status", "--state-dir", t.TempDir()+"/none")
	if code != cli.Fail || !strings.Contains(out, "down") {
		t.Errorf("status of no cluster: exit %d, %q; want exit 1 and 'down'", code, out)
	}
	if code, _, errb := runArgs("cluster", "down", "--state-dir", t.TempDir()+"/none"); code != 0 {
		t.Errorf("down with nothing up: exit %d, %s", code, errb)
	}
}

func TestKubeProviderNeedsKubeconfig(t *testing.T) {
	code, _, errb := runArgs("cluster", "status", "--provider", "kube")
	if code == 0 || !strings.Contains(errb, "--kubeconfig is required") {
		t.Errorf("exit %d, %q", code, errb)
	}
}

// TestKubeProviderRefusesNodeLoss: a timeline that deletes nodes is not
// run on an existing cluster, before the cluster is even asked.
func TestKubeProviderRefusesNodeLoss(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.yaml")
	doc := strings.Replace(interruptRun, "duration: 5m\n", "duration: 5m\ntimeline: [{at: 1m, nodeLoss: {count: 1}}]\n", 1)
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errb := runArgs("run", file, "--provider", "kube", "--kubeconfig", filepath.Join(t.TempDir(), "none"))
	if code != cli.Usage || !strings.Contains(errb, "timeline[0].nodeLoss deletes Node objects") {
		t.Errorf("exit %d, %q", code, errb)
	}
}

// TestRunRefusesASaturatingScenario: a scenario whose expected load at its
// peak is over what this host has is refused before the cluster comes up,
// with the numbers.
func TestRunRefusesASaturatingScenario(t *testing.T) {
	code, out, errb := runArgs("run", "../../scenarios/scale/matches-of-50.yaml", "--set", "fleet.room.tickRate=1000", "-o", t.TempDir())
	if code != cli.Usage || !strings.Contains(errb, "would saturate this host: ≈1440 players in the game at once in 28.8 rooms, sent 1000 states a second of 2310 bytes") ||
		!strings.Contains(errb, "--allow-saturated") || out != "" {
		t.Errorf("exit %d\n%s%s", code, out, errb)
	}
}
