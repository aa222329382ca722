package hostile

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/results"
)

// metricOf is a metric's JSON holding values, with its histogram.
func metricOf(t *testing.T, values ...float64) map[string]any {
	t.Helper()
	h := results.NewHistogram()
	for _, v := range values {
		h.Record(v)
	}
	m := h.Metric()
	var err error
	if m.HDR, err = h.Encode(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// measuredWith is the fixture as a measured run (compared row by row,
// not byte for byte as a model is) whose only metric holds values (the
// fixture's own take seconds to bootstrap on a busy machine), of the
// scenario hash given.
func measuredWith(t *testing.T, hash, metric string, values ...float64) string {
	t.Helper()
	m := metricOf(t, values...)
	return mutated(t, func(r map[string]any) {
		field(r, "meta")["source"] = results.SourceMeasured
		field(r, "meta")["scenarioHash"] = hash
		r["metrics"] = map[string]any{metric: m}
	})
}

func repeated(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestCompareJudgesHonestly: issue 26 — a regression from a zero
// baseline fails naming the metric, runs of another scenario are
// refused, and one sample a side is too few to judge (not a
// significant regression).
func TestCompareJudgesHonestly(t *testing.T) {
	compare := []string{"compare", "--baseline", "$D/base", "--current", "$D/cur", "--junit", "$D/junit.xml", "--json", "$D/c.json"}
	noCompare := []string{"$D/junit.xml", "$D/c.json", "$D/.junit.xml.*", "$D/.c.json.*"}
	const hash = "1ef610aec28838f7" // the fixture's
	both := func(base, cur string) map[string]string {
		return map[string]string{"base/run-1/measured.json": base, "cur/run-1/measured.json": cur}
	}
	fixture := mustRead(t, modelRun)
	otherHash := mutated(t, func(r map[string]any) { field(r, "meta")["scenarioHash"] = "0123456789abcdef" })
	for _, tc := range []struct {
		c      hostileCase
		stdout []string // in stdout, in order
	}{
		{hostileCase{name: "compare a rise from a zero baseline", cmd: "loadgen", args: compare, code: 1,
			files: both(measuredWith(t, hash, results.MatchWait, repeated(0, 300)...), measuredWith(t, hash, results.MatchWait, repeated(5, 300)...))},
			[]string{"match_wait.p50", "+∞", "regression", "FAIL (1 of 1 suites): 3 regressions"}},
		{hostileCase{name: "compare another scenario hash", cmd: "loadgen", args: compare, code: 2, leaves: noCompare,
			files: map[string]string{"base/model.json": fixture, "cur/model.json": otherHash},
			says:  "node-loss (model): baseline scenario hash 1ef610aec28838f7 (1 run), current 0123456789abcdef (1 run)"}, nil},
		{hostileCase{name: "compare mixed scenario hashes in the current runs", cmd: "loadgen", args: compare, code: 2, leaves: noCompare,
			files: map[string]string{"base/model.json": fixture, "cur/a/model.json": fixture, "cur/b/model.json": otherHash},
			says:  "current 0123456789abcdef (1 run) and 1ef610aec28838f7 (1 run)"}, nil},
		{hostileCase{name: "compare another scenario name", cmd: "loadgen", args: compare, code: 2, leaves: noCompare,
			files: map[string]string{"base/model.json": fixture, "cur/model.json": mutated(t, func(r map[string]any) { field(r, "meta")["scenario"] = "launch-burst" })},
			says:  "the baseline holds scenario node-loss (1 run), the current runs launch-burst (1 run): no scenario in common"}, nil},
		{hostileCase{name: "compare another scenario hash, allowed", cmd: "loadgen", args: append(compare, "--allow-different-scenarios"), code: 0,
			files: both(measuredWith(t, hash, results.MatchWait, repeated(1, 300)...), measuredWith(t, "0123456789abcdef", results.MatchWait, repeated(1, 300)...))},
			[]string{"DIFFERENT SCENARIOS compared (--allow-different-scenarios): node-loss (measured)", "node-loss [different scenarios: baseline 1ef610aec28838f7, current 0123456789abcdef]", "match_wait.p50", "ok: 0 regressions"}},
		{hostileCase{name: "compare one sample a side", cmd: "loadgen", args: compare, code: 1,
			files: both(measuredWith(t, hash, results.TimeToRoom, 1), measuredWith(t, hash, results.TimeToRoom, 10))},
			[]string{"time_to_room.p50", "too few samples to judge (n=1 vs n=1; need ≥ 3 a side)", "0 regressions, 3 not judged (3 of them worse"}},
	} {
		t.Run(tc.c.name, func(t *testing.T) {
			o := tc.c.run(t)
			rest := o.stdout
			for _, want := range tc.stdout {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("stdout lacks %q (in order):\n%s", want, o.stdout)
					break
				}
				rest = rest[i+len(want):]
			}
		})
	}
}
