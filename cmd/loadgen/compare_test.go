package main

import (
	"encoding/json"
	"fmt"
	"math"
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
// a changed model fails (exit 1); a model of another scenario (another
// seed) is refused (exit 2) unless allowed; missing directories are usage errors.
func TestCompareCommand(t *testing.T) {
	dir := t.TempDir()
	base, same, changed, reseeded := filepath.Join(dir, "base"), filepath.Join(dir, "same"), filepath.Join(dir, "changed"), filepath.Join(dir, "reseeded")
	modelRun(t, base, "steady", func(*scenarios.Scenario) {})
	modelRun(t, same, "steady", func(*scenarios.Scenario) {})
	modelRun(t, reseeded, "steady", func(sc *scenarios.Scenario) { sc.Seed++ })
	// The same scenario, another model: its output edited.
	r, err := results.ReadFile(filepath.Join(same, "steady", "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	r.Counters[results.Players]++
	if err := os.MkdirAll(filepath.Join(changed, "steady"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteFile(filepath.Join(changed, "steady", "model.json"), r); err != nil {
		t.Fatal(err)
	}
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
	code, out, errb = runArgs("compare", "--baseline", base, "--current", reseeded)
	if code != cli.Usage || !strings.Contains(errb, "steady (model): baseline scenario hash "+r.Meta.ScenarioHash+" (1 run), current ") || out != "" {
		t.Errorf("another seed: exit %d\n%s%s", code, out, errb)
	}
	code, out, _ = runArgs("compare", "--baseline", base, "--current", reseeded, "--allow-different-scenarios")
	if first, _, _ := strings.Cut(out, "\n"); code != cli.Fail || !strings.HasPrefix(first, "DIFFERENT SCENARIOS compared") || !strings.Contains(out, "steady [different scenarios: baseline "+r.Meta.ScenarioHash) {
		t.Errorf("another seed, allowed: exit %d\n%s", code, out)
	}
	if code, _, errb := runArgs("compare", "--baseline", filepath.Join(dir, "nothing"), "--current", same); code != cli.Usage || !strings.Contains(errb, "--baseline") {
		t.Errorf("missing baseline: exit %d, %s", code, errb)
	}
}

// measuredRuns writes runs of scenario steady (hash h1) under
// dir/run-I/measured.json, run I's match_wait holding samples[I].
func measuredRuns(t *testing.T, dir string, samples ...[]float64) string {
	t.Helper()
	for i, s := range samples {
		h := results.NewHistogram()
		for _, v := range s {
			h.Record(v)
		}
		r := &results.Run{Meta: results.Meta{Scenario: "steady", ScenarioHash: "h1", Source: results.SourceMeasured},
			Histograms: map[string]*results.Histogram{results.MatchWait: h}, Counters: map[string]int64{results.Allocations: 100}}
		r.Summarize()
		path := filepath.Join(dir, fmt.Sprintf("run-%d", i+1), "measured.json")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := results.WriteFile(path, r); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestCompareZeroBaselineAndTooFew: match_wait 0 s → 5 s fails (it
// passed as "no change"), and its JSON holds "+Inf"; one sample a side
// is not judged — failing when it got worse, listed when it got better.
func TestCompareZeroBaselineAndTooFew(t *testing.T) {
	dir := t.TempDir()
	zero := measuredRuns(t, filepath.Join(dir, "zero"), repeat(0, 200), repeat(0, 200), repeat(0, 200))
	five := measuredRuns(t, filepath.Join(dir, "five"), repeat(5, 200), repeat(5, 200), repeat(5, 200))
	js := filepath.Join(dir, "c.json")
	code, out, errb := runArgs("compare", "--baseline", zero, "--current", five, "--json", js)
	if code != cli.Fail || !strings.Contains(out, "match_wait.p99") || !strings.Contains(out, "+∞") ||
		!strings.HasSuffix(out, "FAIL (1 of 1 suites): 3 regressions, 0 not judged\n") {
		t.Errorf("0 → 5 s: exit %d\n%s%s", code, out, errb)
	}
	b, err := os.ReadFile(js)
	var back []struct{ Rows []results.Delta }
	if err != nil || json.Unmarshal(b, &back) != nil || !strings.Contains(string(b), `"change": "+Inf"`) ||
		len(back) != 1 || !math.IsInf(back[0].Rows[0].Change, 1) || back[0].Rows[0].Verdict != results.Regression {
		t.Errorf("JSON (%v):\n%s", err, b)
	}

	one := measuredRuns(t, filepath.Join(dir, "one"), []float64{1})
	ten := measuredRuns(t, filepath.Join(dir, "ten"), []float64{10})
	junit := filepath.Join(dir, "junit.xml")
	code, out, _ = runArgs("compare", "--baseline", one, "--current", ten, "--junit", junit)
	if code != cli.Fail || !strings.Contains(out, "too few samples to judge (n=1 vs n=1; need ≥ 3 a side)") ||
		!strings.Contains(out, "0 regressions, 3 not judged (3 of them worse") {
		t.Errorf("1 s → 10 s, one sample a side: exit %d\n%s", code, out)
	}
	if b, err := os.ReadFile(junit); err != nil || !strings.Contains(string(b),
		`<failure message="match_wait.p50: 1 → 9.998 (+899.6%) not judged: too few samples to judge (n=1 vs n=1; need ≥ 3 a side)">`) {
		t.Errorf("JUnit of a worse row not judged (%v):\n%s", err, b)
	}
	code, out, _ = runArgs("compare", "--baseline", ten, "--current", one, "--junit", junit)
	if b, err := os.ReadFile(junit); err != nil || !strings.Contains(string(b), `<skipped message="too few samples to judge (n=1 vs n=1; need ≥ 3 a side)">`) {
		t.Errorf("JUnit of a better row not judged (%v):\n%s", err, b)
	}
	if code != cli.OK || !strings.Contains(out, "too few samples to judge") || !strings.HasPrefix(out, "steady (measured)") ||
		!strings.HasSuffix(out, "ok: 0 regressions, 3 not judged (too few samples or runs to test, or none on one side; none got worse by enough to count)\n") {
		t.Errorf("10 s → 1 s, one sample a side: exit %d\n%s", code, out)
	}
}

// TestCompareRefusesInvalidRuns: a run its harness marked invalid is
// refused as a baseline or a current run (exit 2, naming it and why),
// unless --allow-invalid, which names it and compares.
func TestCompareRefusesInvalidRuns(t *testing.T) {
	dir := t.TempDir()
	good := measuredRuns(t, filepath.Join(dir, "good"), repeat(1, 200), repeat(1, 200), repeat(1, 200))
	bad := measuredRuns(t, filepath.Join(dir, "bad"), repeat(1, 200), repeat(1, 200), repeat(1, 200))
	path := filepath.Join(bad, "run-2", "measured.json")
	r, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r.Harness = &results.Harness{Checks: []results.HarnessCheck{{Name: "sched_latency_p99", Value: 0.031, Limit: 0.01, Unit: "s", Over: true, Why: "runnable goroutines waited"}}}
	if err := results.WriteFile(path, r); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--baseline", bad, "--current", good}, {"--baseline", good, "--current", bad}} {
		code, out, errb := runArgs(append([]string{"compare"}, args...)...)
		if code != cli.Usage || !strings.Contains(errb, "1 run(s) marked invalid") || !strings.Contains(errb, "sched_latency_p99 31.0 ms over its limit 10.0 ms") || out != "" {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errb)
		}
	}
	code, out, errb := runArgs("compare", "--baseline", good, "--current", bad, "--allow-invalid")
	if code != cli.OK || !strings.Contains(out, "--current: comparing 1 run(s) marked invalid (--allow-invalid)") {
		t.Errorf("allowed: exit %d\n%s%s", code, out, errb)
	}
}
