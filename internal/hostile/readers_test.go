package hostile

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/internal/testkit"
)

// withFile is files with one more.
func withFile(files map[string]string, name, body string) map[string]string {
	files[name] = body
	return files
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mutated is the model run fixture with edit applied to its JSON.
func mutated(t *testing.T, edit func(run map[string]any)) string {
	t.Helper()
	var run map[string]any
	if err := json.Unmarshal([]byte(mustRead(t, modelRun)), &run); err != nil {
		t.Fatal(err)
	}
	edit(run)
	b, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func field(run map[string]any, keys ...string) map[string]any {
	m := run
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func TestReportAndCompareRefuseHostileFiles(t *testing.T) {
	runFile := func(body string) map[string]string { return map[string]string{"runs/model.json": body} }
	report := []string{"$D/runs/model.json", "-o", "$D/r.html"}
	noReport := []string{"$D/r.html", "$D/.r.html.*"}
	compareWith := func(body string) map[string]string {
		return map[string]string{"base/model.json": mustRead(t, modelRun), "cur/model.json": body}
	}
	compare := []string{"compare", "--baseline", "$D/base", "--current", "$D/cur", "--junit", "$D/junit.xml", "--html", "$D/c.html"}
	noCompare := []string{"$D/junit.xml", "$D/c.html", "$D/.junit.xml.*", "$D/.c.html.*"}
	longSeries := make([]float64, 2001)
	cases := []hostileCase{
		{name: "report without arguments", cmd: "report", code: 2, says: "needs FILE|DIR... and -o FILE"},
		{name: "report an endless run file", cmd: "report", args: []string{"/dev/zero", "-o", "$D/r.html"}, code: 2, says: "/dev/zero is a character device", leaves: noReport},
		{name: "report a file that is not JSON", cmd: "report", args: report, files: runFile("{not json"), code: 2, says: "$D/runs/model.json", leaves: noReport},
		{name: "report an empty file", cmd: "report", args: report, files: runFile(""), code: 2, says: "unexpected end of JSON input", leaves: noReport},
		{name: "report a negative counter", cmd: "report", args: report, files: runFile(mutated(t, func(r map[string]any) { field(r, "counters")["players"] = -5 })),
			code: 2, says: "counters.players is -5", leaves: noReport},
		{name: "report a number past float64", cmd: "report", args: report, files: runFile(strings.Replace(mustRead(t, modelRun), `"node_seconds": `, `"node_seconds": 1e999`, 1)),
			code: 2, says: "model.json", leaves: noReport},
		{name: "report a NaN literal", cmd: "report", args: report, files: runFile(strings.Replace(mustRead(t, modelRun), `"node_seconds": `, `"node_seconds": NaN, "x": `, 1)),
			code: 2, says: "invalid character", leaves: noReport},
		{name: "report unordered percentiles", cmd: "report", args: report, files: runFile(mutated(t, func(r map[string]any) { field(r, "metrics", "time_to_room")["p50"] = 1e9 })),
			code: 2, says: "metrics.time_to_room: min ≤ p50", leaves: noReport},
		{name: "report a histogram of huge geometry", cmd: "report", args: report, files: runFile(mutated(t, func(r map[string]any) { field(r, "metrics", "time_to_room")["hdr"] = testkit.HDR(1, 1<<62, 5) })),
			code: 2, says: "metrics.time_to_room: hdr: geometry", leaves: noReport},
		{name: "report a histogram that is not base64", cmd: "report", args: report, files: runFile(mutated(t, func(r map[string]any) { field(r, "metrics", "alloc_wait")["hdr"] = "***" })),
			code: 2, says: "not base64", leaves: noReport},
		{name: "report a series past its cap", cmd: "report", args: report, files: runFile(mutated(t, func(r map[string]any) { field(r, "series")["nodes"] = longSeries })),
			code: 2, says: "series.nodes has 2001 points", leaves: noReport},
		{name: "report a series step of zero", cmd: "report", args: report, files: runFile(mutated(t, func(r map[string]any) { field(r, "series")["step"] = "0s" })),
			code: 2, says: "series.step", leaves: noReport},
		{name: "report a foreign source", cmd: "report", args: report, files: runFile(mutated(t, func(r map[string]any) { field(r, "meta")["source"] = "guess" })),
			code: 2, says: `meta.source is "guess"`, leaves: noReport},
		{name: "report a directory without runs", cmd: "report", args: []string{"$D/empty", "-o", "$D/r.html"}, files: map[string]string{"empty/readme": "x"}, code: 2, says: "no model.json, measured.json or model-of-run.json", leaves: noReport},
		{name: "report a sweep that is not JSON", cmd: "report", args: []string{"$D/sweep.json", "-o", "$D/r.html"}, files: map[string]string{"sweep.json": "[1,2"}, code: 2, says: "sweep", leaves: noReport},
		{name: "report a sweep without points", cmd: "report", args: []string{"$D/sweep.json", "-o", "$D/r.html"}, files: map[string]string{"sweep.json": `{"points":[]}`}, code: 2, says: "no points", leaves: noReport},
		{name: "report a sweep with a negative cost", cmd: "report", args: []string{"$D/sweep.json", "-o", "$D/r.html"},
			files: map[string]string{"sweep.json": `{"points":[{"set":{},"timeToRoomP99":1,"cost":{"money":-4}}]}`}, code: 2, says: "points[0]", leaves: noReport},
		{name: "report an endless --scenario", cmd: "report", args: []string{modelRun, "--scenario", "/dev/zero", "-o", "$D/r.html"}, code: 2, says: "--scenario", leaves: noReport},
		{name: "report over its own input", cmd: "report", args: []string{"$D/runs/model.json", "-o", "$D/runs/model.json"}, files: runFile(mustRead(t, modelRun)),
			code: 2, says: "would replace the input"},
		{name: "compare a corrupt current run", cmd: "loadgen", args: compare, files: compareWith("{]"), code: 2, says: "$D/cur/model.json", leaves: noCompare},
		{name: "compare a corrupt baseline", cmd: "loadgen", args: compare, files: map[string]string{"base/model.json": "garbage", "cur/model.json": mustRead(t, modelRun)},
			code: 2, says: "--baseline", leaves: noCompare},
		{name: "compare a histogram bomb", cmd: "loadgen", args: compare, files: compareWith(mutated(t, func(r map[string]any) { field(r, "metrics", "time_to_room")["hdr"] = testkit.HDR(1, 1<<62, 5) })),
			code: 2, says: "metrics.time_to_room: hdr", leaves: noCompare},
		{name: "compare a negative counter", cmd: "loadgen", args: compare, files: compareWith(mutated(t, func(r map[string]any) { field(r, "counters")["matches"] = -1 })),
			code: 2, says: "counters.matches is -1", leaves: noCompare},
		{name: "compare without --current", cmd: "loadgen", args: []string{"compare", "--baseline", "$D"}, code: 2, says: "--current DIR"},
		{name: "compare one path for two outputs", cmd: "loadgen", args: []string{"compare", "--baseline", "$D/base", "--current", "$D/cur", "--junit", "$D/x", "--html", "$D/x"},
			files: compareWith(mustRead(t, modelRun)), code: 2, says: "given to two of", leaves: []string{"$D/x"}},
		{name: "compare writes all outputs or none", cmd: "loadgen", args: []string{"compare", "--baseline", "$D/base", "--current", "$D/cur", "--junit", "$D/junit.xml", "--html", "$D/nodir/c.html"},
			files: withFile(compareWith(mustRead(t, modelRun)), "nodir", "a file where a directory goes"), code: 2,
			says: "$D/nodir is not a directory (a regular file)", leaves: []string{"$D/junit.xml", "$D/.junit.xml.*"}},
		{name: "compare over a baseline run", cmd: "loadgen", args: []string{"compare", "--baseline", "$D/base", "--current", "$D/cur", "--json", "$D/base/model.json"},
			files: compareWith(mustRead(t, modelRun)), code: 2, says: "would replace the input"},
		{name: "cluster without a subcommand", cmd: "loadgen", args: []string{"cluster"}, code: 2, says: "cluster needs a subcommand"},
		{name: "cluster with an unknown provider", cmd: "loadgen", args: []string{"cluster", "status", "--provider", "nomad"}, code: 2, says: "nomad"},
		{name: "compare an unknown flag", cmd: "loadgen", args: []string{"compare", "--basline", "$D"}, code: 2, says: "flag provided but not defined"},
		{name: "loadgen run without a file", cmd: "loadgen", args: []string{"run"}, code: 2, says: "run needs a scenario FILE"},
		{name: "loadgen run an invalid scenario before any cluster", cmd: "loadgen", args: []string{"run", "$D/s.yaml", "-o", "$D/out"},
			files: map[string]string{"s.yaml": "apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: x\nduration: -1h\n"}, code: 2, says: "duration", leaves: []string{"$D/out"}},
		{name: "loadgen run past a real run's budget", cmd: "loadgen", args: []string{"run", smallScenario, "--set", "arrivals.segments[0].constant.rate=1000", "-o", "$D/out"},
			code: 2, says: "players at once, more than --max-concurrent 2e+04", leaves: []string{"$D/out"}},
		{name: "loadgen run an HPA the stack does not have, before any cluster", cmd: "loadgen", args: []string{"run", smallScenario, "--set", "fleet.policy={minAvailable: {count: 4}}", "--set", "fleet.hpa={}", "-o", "$D/out"},
			code: 2, says: "fleet.hpa: the real run's fleet is fleetd", leaves: []string{"$D/out"}},
		{name: "loadgen unknown command", cmd: "loadgen", args: []string{"rnu"}, code: 2, says: `unknown command "rnu"`},
	}
	runCases(t, cases)
}
