package results

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func meta(r *Run, scenario, source, hash string) *Run {
	c := *r
	c.Meta = Meta{Scenario: scenario, Source: source, ScenarioHash: hash}
	return &c
}

// TestScenarioMismatches: runs of one scenario pass; another hash on
// either side, a mix within one side, or no name in common are named.
func TestScenarioMismatches(t *testing.T) {
	t.Parallel()
	r := runFrom(10, constant(1), 0, 1, 0)
	a := func(hash string) *Run { return meta(r, "steady", SourceMeasured, hash) }
	for _, tc := range []struct {
		name      string
		base, cur []*Run
		want      string // "" for none
	}{
		{"same", []*Run{a("aa"), a("aa")}, []*Run{a("aa")}, ""},
		{"unknown hash is not different", []*Run{a("")}, []*Run{a("aa")}, ""},
		{"other hash", []*Run{a("aa")}, []*Run{a("bb")}, "steady (measured): baseline scenario hash aa (1 run), current bb (1 run)"},
		{"mixed current", []*Run{a("aa"), a("aa")}, []*Run{a("aa"), a("bb"), a("aa")},
			"steady (measured): baseline scenario hash aa (2 runs), current aa (2 runs) and bb (1 run)"},
		{"mixed without baseline", []*Run{a("aa")}, []*Run{a("aa"), meta(r, "new", SourceMeasured, "cc"), meta(r, "new", SourceMeasured, "dd")},
			"new (measured): baseline scenario hash none (no baseline runs), current cc (1 run) and dd (1 run)"},
		{"sources apart", []*Run{a("aa"), meta(r, "steady", SourceModel, "mm")}, []*Run{a("aa"), meta(r, "steady", SourceModel, "mm")}, ""},
		{"no name in common", []*Run{a("aa")}, []*Run{meta(r, "burst", SourceMeasured, "aa")},
			"the baseline holds scenario steady (1 run), the current runs burst (1 run): no scenario in common"},
	} {
		var got []string
		for _, m := range ScenarioMismatches(tc.base, tc.cur) {
			got = append(got, m.String())
		}
		if strings.Join(got, "; ") != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if x := Relabeled([]*Run{a("aa")}, "a vs b"); x[0].Meta.Scenario != "a vs b" || x[0].Meta.ScenarioHash != "aa" {
		t.Errorf("relabeled: %+v", x[0].Meta)
	}
}

// TestDeltaJSON: a change from a zero baseline is written as "+Inf" and
// read back as +Inf; a finite row is written as before, as numbers.
func TestDeltaJSON(t *testing.T) {
	t.Parallel()
	in := []Delta{
		{Name: "match_wait.p99", Current: 5, Change: math.Inf(1), Low: math.Inf(1), High: math.Inf(1), Relative: true, P: 0.001, Verdict: Regression, Worse: true},
		{Name: "x.p50", Baseline: 1, Current: 1.5, Change: 0.5, Low: 0.25, High: math.Inf(1), KS: 0.5, P: 0.3, Verdict: NotJudged, Note: "too few"},
		{Name: "recovery_ratio", Baseline: 0.9, Current: 0.8, Change: -0.1, Low: -0.2, High: -0.05, P: 0.01, Verdict: Regression},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"change":"+Inf","low":"+Inf","high":"+Inf"`) || strings.Contains(string(b), "NaN") {
		t.Errorf("encoded: %s", b)
	}
	if !strings.Contains(string(b), `{"name":"recovery_ratio","baseline":0.9,"current":0.8,"change":-0.1,"low":-0.2,"high":-0.05,"relative":false,"p":0.01,"verdict":"regression"}`) {
		t.Errorf("a finite row is not written as before: %s", b)
	}
	var out []Delta
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("round trip: %+v, want %+v", out[i], in[i])
		}
	}
	if err := json.Unmarshal([]byte(`{"change":"lots"}`), &out[0]); err == nil {
		t.Error(`"lots" read as a change`)
	}
}

// TestValidateRefusesNonFiniteLatencies: what compare reads is finite
// and ≥ 0 before it gets there (JSON has no NaN; 1e999 does not parse).
func TestValidateRefusesNonFiniteLatencies(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		`{"meta":{"source":"measured"},"metrics":{"match_wait":{"count":1,"p50":-1}}}`,
		`{"meta":{"source":"measured"},"metrics":{"match_wait":{"count":1,"max":1e999}}}`,
		`{"meta":{"source":"measured"},"metrics":{"match_wait":{"count":1,"p50":NaN}}}`,
		`{"meta":{"source":"measured"},"metrics":{"match_wait":{"count":-1}}}`,
		`{"meta":{"source":"measured"},"counters":{"allocations":-1}}`,
		`{"meta":{"source":"measured"},"metrics":{"match_wait":{"count":1,"p50":"+Inf"}}}`,
	} {
		if _, err := Unmarshal([]byte(doc)); err == nil {
			t.Errorf("accepted %s", doc)
		}
	}
}
