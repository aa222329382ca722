package hostile

import (
	"fmt"
	"strings"
	"testing"
)

// scenario is small.yaml's document with lines replaced (old → new).
func scenario(t *testing.T, edits ...string) string {
	t.Helper()
	doc := mustRead(t, smallScenario)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(doc, edits[i]) {
			t.Fatalf("small.yaml lacks %q", edits[i])
		}
		doc = strings.Replace(doc, edits[i], edits[i+1], 1)
	}
	return doc
}

// noOutput are the globs a refused `sim run -o $D/out` must not leave.
var noOutput = []string{"$D/out/model.json", "$D/out/report.html", "$D/out/.*"}

func TestSimRunRefusesHostileScenarios(t *testing.T) {
	many := strings.Repeat("  - {at: 1m, crash: {rooms: 1}}\n", 10_001)
	laughs := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'j'; i++ {
		laughs += fmt.Sprintf("%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	file := func(body string) map[string]string { return map[string]string{"s.yaml": body} }
	run := []string{"run", "$D/s.yaml", "-o", "$D/out"}
	cases := []hostileCase{
		{name: "no arguments", cmd: "sim", code: 2, says: "usage"},
		{name: "unknown command", cmd: "sim", args: []string{"runn"}, code: 2, says: `unknown command "runn"`},
		{name: "unknown flag", cmd: "sim", args: []string{"run", smallScenario, "--fast"}, code: 2, says: "flag provided but not defined: -fast"},
		{name: "two files", cmd: "sim", args: []string{"run", smallScenario, smallScenario}, code: 2, says: "want exactly one scenario FILE, got 2"},
		{name: "missing file", cmd: "sim", args: run, code: 2, says: "no such file", leaves: noOutput},
		{name: "endless file", cmd: "sim", args: []string{"run", "/dev/zero", "-o", "$D/out"}, code: 2, says: "/dev/zero is a character device", leaves: noOutput},
		{name: "a directory", cmd: "sim", args: []string{"run", "$D", "-o", "$D/out"}, code: 2, says: "is a directory", leaves: noOutput},
		{name: "empty file", cmd: "sim", args: run, files: file(""), code: 2, says: "must be a YAML mapping", leaves: noOutput},
		{name: "binary bytes", cmd: "sim", args: run, files: file("\x00\x01\xff\xfe{[}"), code: 2, says: "scenario", leaves: noOutput},
		{name: "billion laughs", cmd: "sim", args: run, files: file("apiVersion: fleetbench/v1alpha1\nkind: Scenario\n" + laughs), code: 2, says: "scenario", leaves: noOutput},
		{name: "deep nesting", cmd: "sim", args: run, files: file(strings.Repeat("[", 100_000)), code: 2, says: "scenario", leaves: noOutput},
		{name: "second document", cmd: "sim", args: run, files: file(scenario(t) + "---\nname: other\n"), code: 2, says: "more than one YAML document", leaves: noOutput},
		{name: "fraction for an integer", cmd: "sim", args: run, files: file(scenario(t, "perMatch: 2", "perMatch: 2.9")), code: 2, says: "players.perMatch", leaves: noOutput},
		{name: "seed past 2^64", cmd: "sim", args: run, files: file(scenario(t, "seed: 9", "seed: 18446744073709551616")), code: 2, says: "seed", leaves: noOutput},
		{name: "--seed past 2^64", cmd: "sim", args: []string{"run", smallScenario, "--seed", "18446744073709551616", "-o", "$D/out"}, code: 2, says: "--seed", leaves: noOutput},
		{name: "negative --seed", cmd: "sim", args: []string{"run", smallScenario, "--seed", "-1", "-o", "$D/out"}, code: 2, says: "--seed", leaves: noOutput},
		{name: "negative duration", cmd: "sim", args: run, files: file(scenario(t, "duration: 30m", "duration: -30m")), code: 2, says: "duration: must be > 0", leaves: noOutput},
		{name: "duration of years", cmd: "sim", args: run, files: file(scenario(t, "duration: 30m", "duration: 100000h")), code: 2, says: "duration: must be at most", leaves: noOutput},
		{name: "NaN rate", cmd: "sim", args: run, files: file(scenario(t, "rate: 2", "rate: .nan")), code: 2, says: "arrivals.segments[0].constant.rate", leaves: noOutput},
		{name: "infinite rate", cmd: "sim", args: run, files: file(scenario(t, "rate: 2", "rate: .inf")), code: 2, says: "arrivals.segments[0].constant.rate", leaves: noOutput},
		{name: "valid but enormous", cmd: "sim", args: run, files: file(scenario(t, "rate: 2", "rate: 1000000", "duration: 30m", "duration: 8760h")),
			code: 2, says: "≈3.15e+13 events (players + ticks) in 1 run(s), more than --max-events 1e+09 (arrivals.segments over duration 8760h0m0s", leaves: noOutput},
		{name: "valid but crowded", cmd: "sim", args: run, files: file(scenario(t, "rate: 2", "rate: 100000", "duration: 30m", "duration: 2h", "mean: 2m", "mean: 1h")),
			code: 2, says: "≈3.6e+08 players at once, more than --max-concurrent", leaves: noOutput},
		{name: "valid but long", cmd: "sim", args: run, files: file(scenario(t, "rate: 2", "rate: 50000", "duration: 30m", "duration: 24h", "mean: 2m", "mean: 1s")),
			code: 2, says: "more than --max-events", leaves: noOutput},
		{name: "a nanosecond sync", cmd: "sim", args: run, files: file(scenario(t, "syncInterval: 0s", "syncInterval: 1ns")), code: 2, says: "fleet.syncInterval: must be 0 (off) or at least 1s", leaves: noOutput},
		{name: "a millisecond match timeout", cmd: "sim", args: run, files: file(scenario(t, "perMatch: 2", "perMatch: 2\n  matchTimeout: 1ms")), code: 2, says: "players.matchTimeout", leaves: noOutput},
		{name: "ten thousand and one events", cmd: "sim", args: run, files: file(scenario(t) + "timeline:\n" + many), code: 2, says: "timeline: has 10001 entries", leaves: noOutput},
		{name: "crash of a billion rooms", cmd: "sim", args: run, files: file(scenario(t) + "timeline:\n  - {at: 1m, crash: {rooms: 1000000000}}\n"), code: 2, says: "timeline[0].crash.rooms", leaves: noOutput},
		{name: "endless trace", cmd: "sim", args: run, files: file(scenario(t, "constant: {rate: 2}", "trace: {file: /dev/zero}")), code: 2, says: "a character device", leaves: noOutput},
		{name: "trace row not a number", cmd: "sim", args: run, files: map[string]string{"s.yaml": scenario(t, "constant: {rate: 2}", "trace: {file: t.csv}"), "t.csv": "t,rate\n0,1\n60,two\n"},
			code: 2, says: "trace line 3", leaves: noOutput},
		{name: "missing trace", cmd: "sim", args: run, files: file(scenario(t, "constant: {rate: 2}", "trace: {file: nowhere.csv}")), code: 2, says: "nowhere.csv", leaves: noOutput},
		{name: "--set unknown path", cmd: "sim", args: []string{"run", smallScenario, "--set", "fleet.policy.bufer.size=3", "-o", "$D/out"}, code: 2, says: "bufer", leaves: noOutput},
		{name: "--set without =", cmd: "sim", args: []string{"run", smallScenario, "--set", "seed", "-o", "$D/out"}, code: 2, says: "seed", leaves: noOutput},
		{name: "--set a list index past the end", cmd: "sim", args: []string{"run", smallScenario, "--set", "arrivals.segments[99999999999].constant.rate=1", "-o", "$D/out"}, code: 2, says: "segments", leaves: noOutput},
		{name: "--set a value of the wrong type", cmd: "sim", args: []string{"run", smallScenario, "--set", "duration=soon", "-o", "$D/out"}, code: 2, says: "duration", leaves: noOutput},
		{name: "output under a file", cmd: "sim", args: []string{"run", smallScenario, "-o", "$D/f/out"}, files: map[string]string{"f": "a file"}, code: 2, says: "$D/f is not a directory", leaves: []string{"$D/f/out"}},
		{name: "unwritable output leaves nothing", cmd: "sim", args: []string{"run", smallScenario, "-o", "$D/ro"}, files: map[string]string{"ro/model.json/x": "a directory where model.json goes"},
			code: 2, says: "$D/ro/model.json exists and is not a regular file (a directory)", leaves: []string{"$D/ro/report.html", "$D/ro/.*"}},
		{name: "a raised budget lets it run", cmd: "sim", args: []string{"run", smallScenario, "--max-events", "1e4", "--max-concurrent", "1e6", "-o", "$D/out"}, code: 0, says: ""},
		{name: "a lowered budget refuses it", cmd: "sim", args: []string{"run", smallScenario, "--max-events", "100", "-o", "$D/out"}, code: 2, says: "players + ticks", leaves: noOutput},
	}
	runCases(t, cases)
}

func TestSimSweepAndCheckRefuseHostileFlags(t *testing.T) {
	sweep := func(extra ...string) []string {
		return append([]string{"sweep", smallScenario, "-o", "$D/out"}, extra...)
	}
	axis := "fleet.policy.buffer.size=0:8:2"
	noSweep := []string{"$D/out/sweep.json", "$D/out/.*"}
	check := func(extra ...string) []string { return append([]string{"check", smallScenario}, extra...) }
	cases := []hostileCase{
		{name: "sweep without -o", cmd: "sim", args: []string{"sweep", smallScenario, "--set", axis}, code: 2, says: "sweep: -o DIR is required"},
		{name: "sweep --reps 0", cmd: "sim", args: sweep("--set", axis, "--reps", "0"), code: 2, says: "--reps 0: must be ≥ 1", leaves: noSweep},
		{name: "sweep --reps huge", cmd: "sim", args: sweep("--set", axis, "--reps", "1000000000000"), code: 2, says: "more than 100000", leaves: noSweep},
		{name: "sweep --reps max int", cmd: "sim", args: sweep("--set", axis, "--reps", "9223372036854775807"), code: 2, says: "more than 100000", leaves: noSweep},
		{name: "sweep --reps past int", cmd: "sim", args: sweep("--set", axis, "--reps", "9223372036854775808"), code: 2, says: "value out of range", leaves: noSweep},
		{name: "sweep --workers -1", cmd: "sim", args: sweep("--set", axis, "--workers", "-1"), code: 2, says: "--workers -1: must be ≥ 0", leaves: noSweep},
		{name: "sweep an axis of a billion values", cmd: "sim", args: sweep("--set", "fleet.policy.buffer.size=0:1e9:1"), code: 2, says: "more than 10000 values", leaves: noSweep},
		{name: "sweep a grid of 10^8 points", cmd: "sim", args: sweep("--set", "fleet.policy.buffer.size=0:9999:1", "--set", "seed=0:9999:1"), code: 2, says: "runs, more than 100000", leaves: noSweep},
		{name: "sweep a zero step", cmd: "sim", args: sweep("--set", "seed=0:10:0"), code: 2, says: "STEP must be > 0", leaves: noSweep},
		{name: "sweep a NaN bound", cmd: "sim", args: sweep("--set", "seed=NaN:10:1"), code: 2, says: "is not a number", leaves: noSweep},
		{name: "sweep past the work budget", cmd: "sim", args: sweep("--set", axis, "--reps", "1000", "--max-events", "1e6"), code: 2, says: "in 5000 run(s), more than --max-events", leaves: noSweep},
		{name: "sweep a point that is invalid", cmd: "sim", args: sweep("--set", "players.perMatch=-2:0:1"), code: 2, says: "players.perMatch", leaves: noSweep},
		{name: "check --target 1.5", cmd: "sim", args: check("--target", "1.5"), code: 2, says: "--target 1.5"},
		{name: "check --days 0", cmd: "sim", args: check("--days", "0"), code: 2, says: "--days 0"},
		{name: "check --max-days a billion", cmd: "sim", args: check("--max-days", "1000000000"), code: 2, says: "--max-days 1000000000"},
		{name: "check --search-days a million", cmd: "sim", args: check("--search-days", "1000000"), code: 2, says: "--search-days 1000000"},
		{name: "check --workers -3", cmd: "sim", args: check("--workers", "-3"), code: 2, says: "--workers -3"},
		{name: "check a percent policy", cmd: "sim", args: []string{"check", "$D/s.yaml"}, files: map[string]string{"s.yaml": scenario(t, "{buffer: {size: 6}}", "{buffer: {percent: 10}}")},
			code: 2, says: "sizes a count"},
		{name: "check past the work budget", cmd: "sim", args: check("--max-events", "1e5"), code: 2, says: "--max-events"},
		{name: "plan a step shorter than the sync", cmd: "sim", args: []string{"plan", "evening-peak", "--step", "10s"}, code: 2, says: "shorter than fleet.syncInterval"},
		{name: "plan a step longer than the scenario", cmd: "sim", args: []string{"plan", "evening-peak", "--step", "48h"}, code: 2, says: "at most the scenario's duration"},
		{name: "plan a zero step", cmd: "sim", args: []string{"plan", "evening-peak", "--step", "0s"}, code: 2, says: "--step 0s"},
		{name: "plan an unknown manifest kind", cmd: "sim", args: []string{"plan", "evening-peak", "--emit", "nomad", "-o", "$D/out"}, code: 2, says: `--emit "nomad"`, leaves: []string{"$D/out"}},
		{name: "plan manifests with nowhere to write", cmd: "sim", args: []string{"plan", "evening-peak", "--emit", "okg"}, code: 2, says: "into -o DIR"},
		{name: "plan a percent policy", cmd: "sim", args: []string{"plan", "$D/s.yaml"}, files: map[string]string{"s.yaml": scenario(t, "{buffer: {size: 6}}", "{buffer: {percent: 10}}")},
			code: 2, says: "sizes a count"},
		{name: "a schedule step after the end", cmd: "sim", args: []string{"run", "$D/s.yaml", "-o", "$D/out"},
			files: map[string]string{"s.yaml": scenario(t, "{buffer: {size: 6}}", "{buffer: {size: 6}, schedule: [{at: 2h, count: 3}]}")}, code: 2, says: "fleet.policy.schedule[0].at"},
		{name: "an HPA without minAvailable", cmd: "sim", args: []string{"run", "$D/s.yaml", "-o", "$D/out"},
			files: map[string]string{"s.yaml": scenario(t, "syncInterval: 0s", "syncInterval: 0s\n  hpa: {tolerance: 2}")}, code: 2, says: "fleet.hpa.tolerance: must be in [0, 1)"},
	}
	runCases(t, cases)
}
