package hostile

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderedFinite is a verify step: $D/r.html was written, has no NaN or
// Inf anywhere, and every chart in it is well-formed XML.
func renderedFinite(t *testing.T, dir string) {
	t.Helper()
	html := mustRead(t, filepath.Join(dir, "r.html"))
	for _, bad := range []string{"NaN", "Inf"} {
		if i := strings.Index(html, bad); i >= 0 {
			t.Errorf("report has %q: …%s…", bad, html[max(0, i-100):min(len(html), i+40)])
		}
	}
	charts := 0
	for rest := html; ; charts++ {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "</svg>")
		if j < 0 {
			t.Fatal("an <svg> without its </svg>")
		}
		d := xml.NewDecoder(strings.NewReader(rest[i : i+j+len("</svg>")]))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("chart %d is not XML: %v", charts, err)
				break
			}
		}
		rest = rest[i+j:]
	}
	if charts < 8 {
		t.Errorf("report has %d charts, want the run's 8 at least", charts)
	}
}

// extreme is the fixture with every series point at(k), every latency,
// cost and scale-up stage at the far end of what Validate admits.
func extreme(t *testing.T, at func(k int) float64) string {
	return mutated(t, func(r map[string]any) {
		for name, v := range field(r, "series") {
			if vals, ok := v.([]any); ok {
				for k := range vals {
					vals[k] = at(k)
				}
				field(r, "series")[name] = vals
			}
		}
		for name := range field(r, "metrics") {
			m := field(r, "metrics", name)
			for _, p := range []string{"min", "p50", "p90", "p95", "p99", "p999", "max", "mean"} {
				m[p] = math.MaxFloat64
			}
		}
		for _, c := range []string{"node_seconds", "server_seconds", "idle_server_seconds", "money"} {
			field(r, "cost")[c] = math.MaxFloat64
		}
		// Stages up and down: drawn end to end they add up past float64.
		r["scaleUps"] = []map[string]any{{"node": "a", "at": "1m", "created": math.MaxFloat64, "podRunning": math.MaxFloat64},
			{"node": "b", "at": "2m", "created": 5e-324, "ready": 1e308, "podRunning": 1e308, "roomReady": math.MaxFloat64}}
	})
}

// Issue 26: values near the float limit, accepted by results.Validate,
// render without a NaN or an Inf; counters past 2^53 are refused naming
// the counter (no ratio of them goes negative); names with control
// characters make well-formed charts and reach no terminal.
func TestReportRendersExtremeValues(t *testing.T) {
	runFile := func(body string) map[string]string { return map[string]string{"runs/model.json": body} }
	report := []string{"$D/runs/model.json", "-o", "$D/r.html"}
	noReport := []string{"$D/r.html", "$D/.r.html.*"}
	fixture := mustRead(t, modelRun)
	counter := func(old, new string) map[string]string {
		if !strings.Contains(fixture, old) {
			t.Fatalf("the fixture lacks %q", old)
		}
		return runFile(strings.Replace(fixture, old, new, 1))
	}
	hostileNames := mutated(t, func(r map[string]any) {
		field(r, "meta")["scenario"] = "x\x1b]0;owned\a\x1b[2J\u202e"
		r["scaleUps"] = []map[string]any{{"node": "n\x00\x1b[31m\ufffe", "at": "1m", "created": 1, "ready": 2}}
	})
	cases := []hostileCase{
		{name: "values of 1e308", cmd: "report", args: report, files: runFile(extreme(t, func(int) float64 { return 1e308 })),
			verify: renderedFinite},
		{name: "the largest float", cmd: "report", args: report, files: runFile(extreme(t, func(int) float64 { return math.MaxFloat64 })),
			verify: renderedFinite},
		{name: "the smallest float", cmd: "report", args: report, files: runFile(extreme(t, func(int) float64 { return 5e-324 })),
			verify: renderedFinite},
		{name: "huge beside tiny", cmd: "report", args: report,
			files:  runFile(extreme(t, func(k int) float64 { return []float64{math.MaxFloat64, 5e-324, 0, 1e-300, 1e308}[k%5] })),
			verify: renderedFinite},
		{name: "names with control characters", cmd: "report", args: report, files: runFile(hostileNames),
			verify: func(t *testing.T, dir string) {
				renderedFinite(t, dir)
				if !strings.Contains(mustRead(t, filepath.Join(dir, "r.html")), "n\ufffd\ufffd[31m\ufffd") {
					t.Error("the node's name is not in the scale-up chart with its controls replaced")
				}
			}},
		{name: "a counter past 2^53", cmd: "report", args: report, files: counter(`"players": 21444`, `"players": 9007199254740993`),
			code: 2, says: "counters.players is 9007199254740993, must be ≥ 0 and at most 2^53", leaves: noReport},
		{name: "a counter of 2^62 (two such wrap int64)", cmd: "report", args: report,
			files: counter(`"recoveries_ok": 551`, `"recoveries_ok": 4611686018427387904`),
			code:  2, says: "counters.recoveries_ok is 4611686018427387904", leaves: noReport},
		{name: "a counter past int64", cmd: "report", args: report, files: counter(`"players": 21444`, `"players": 18446744073709551615`),
			code: 2, says: "18446744073709551615", leaves: noReport},
	}
	runCases(t, cases)
	t.Run("no control character reaches the terminal", func(t *testing.T) {
		o := hostileCase{cmd: "report", args: report, files: runFile(hostileNames)}.run(t)
		if strings.ContainsAny(o.stdout+o.stderr, "\x00\x1b\a\u202e") {
			t.Errorf("printed a control character: %q %q", o.stdout, o.stderr)
		}
	})
}

// A report holds at most reports.MaxRuns runs and reports.MaxRunBytes
// of run files: past either it is refused, naming the bound, before it
// reads them (the files past the byte bound are not even JSON).
func TestReportRefusesMoreThanItHolds(t *testing.T) {
	small := mutated(t, func(r map[string]any) {
		r["series"] = map[string]any{"step": "0s"}
		r["events"] = []any{}
	})
	manyRuns := func(t *testing.T, dir string) {
		t.Helper()
		for i := range 201 {
			sub := filepath.Join(dir, "runs", fmt.Sprintf("%03d", i))
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(dir, "small.json"), filepath.Join(sub, "model.json")); err != nil {
				t.Fatal(err)
			}
		}
	}
	bigFiles := func(t *testing.T, dir string) {
		t.Helper()
		for _, name := range []string{"a", "b", "c"} {
			path := filepath.Join(dir, "runs", name, "model.json")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			// Sparse: 30 MiB on paper, nothing on disk or in memory.
			f, err := os.Create(path)
			if err == nil {
				err = errors.Join(f.Truncate(30<<20), f.Close())
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	noReport := []string{"$D/r.html", "$D/.r.html.*"}
	runCases(t, []hostileCase{
		{name: "201 runs", cmd: "report", args: []string{"$D/runs", "-o", "$D/r.html"}, files: map[string]string{"small.json": small},
			setup: manyRuns, code: 2, says: "201 runs: a report holds at most 200", leaves: noReport},
		{name: "90 MiB of run files", cmd: "report", args: []string{"$D/runs", "-o", "$D/r.html"}, setup: bigFiles,
			code: 2, says: "a report reads at most 64 MiB", leaves: noReport},
		{name: "90 MiB of run files given one by one", cmd: "report", args: []string{"$D/runs/a/model.json", "$D/runs/b/model.json", "$D/runs/c/model.json", "-o", "$D/r.html"},
			setup: bigFiles, code: 2, says: "a report reads at most 64 MiB", leaves: noReport},
	})
}
