package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// modelRun writes the model of a shipped scenario, with edit applied,
// under dir/name/model.json.
func modelRun(t *testing.T, dir, name string, edit func(*scenarios.Scenario)) {
	t.Helper()
	sc, err := scenarios.Load("../../scenarios/steady.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = scenarios.D(sc.Duration.Duration / 4)
	edit(sc)
	r, err := sim.Run(t.Context(), sc, sim.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteFile(filepath.Join(dir, name, "model.json"), r); err != nil {
		t.Fatal(err)
	}
}

// TestCompareCommand: the same model passes (exit 0) and writes JUnit;
// a changed model fails (exit 1); missing directories are usage errors.
func TestCompareCommand(t *testing.T) {
	dir := t.TempDir()
	base, same, changed := filepath.Join(dir, "base"), filepath.Join(dir, "same"), filepath.Join(dir, "changed")
	modelRun(t, base, "steady", func(*scenarios.Scenario) {})
	modelRun(t, same, "steady", func(*scenarios.Scenario) {})
	modelRun(t, changed, "steady", func(sc *scenarios.Scenario) { sc.Seed++ })
	junit := filepath.Join(dir, "junit.xml")
	code, out, errb := runArgs("compare", "--baseline", base, "--current", same, "--junit", junit, "--html", filepath.Join(dir, "r.html"))
	if code != cli.OK || !strings.Contains(out, "model output identical") {
		t.Errorf("same model: exit %d\n%s%s", code, out, errb)
	}
	if b, err := os.ReadFile(junit); err != nil || !strings.Contains(string(b), `<testsuite name="steady (model)"`) {
		t.Errorf("junit: %v\n%s", err, b)
	}
	if code, out, _ := runArgs("compare", "--baseline", base, "--current", changed); code != cli.Fail || !strings.Contains(out, "CHANGED") {
		t.Errorf("changed model: exit %d\n%s", code, out)
	}
	if code, _, errb := runArgs("compare", "--baseline", filepath.Join(dir, "nothing"), "--current", same); code != cli.Usage || !strings.Contains(errb, "--baseline") {
		t.Errorf("missing baseline: exit %d, %s", code, errb)
	}
}
