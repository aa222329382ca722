package reports

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/results"
)

// measuredRun is a measured run of scenario "steady" whose time to room
// is exponential with the given mean, with verdicts against p99 ≤ limit.
func measuredRun(seed uint64, mean, limit float64) *results.Run {
	rng := rand.New(rand.NewPCG(seed, 1))
	h := results.NewHistogram()
	for range 2000 {
		h.Record(rng.ExpFloat64() * mean)
	}
	r := &results.Run{Meta: results.Meta{Scenario: "steady", Source: results.SourceMeasured, Seed: seed},
		Histograms: map[string]*results.Histogram{results.TimeToRoom: h},
		Counters:   map[string]int64{results.Allocations: 1000, results.RecoveriesOK: 100}}
	r.Summarize()
	r.Verdicts = []results.Verdict{{SLO: "timeToRoom.p99", Limit: limit, Value: r.Metrics[results.TimeToRoom].P99}}
	r.Verdicts[0].Pass = r.Verdicts[0].Value <= limit
	return r
}

// suites compares: the node-loss model against itself (identical), a
// steady measured scenario 30% slower over three runs a side (a
// regression, and one run misses its SLO), and a scenario with no
// baseline.
func suites(t *testing.T) []Suite {
	t.Helper()
	model, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := results.ReadFile("testdata/node-loss.model.json")
	again.Meta.Version = "a newer build"
	base := []*results.Run{model, measuredRun(1, 1, 6), measuredRun(2, 1, 6), measuredRun(3, 1, 6)}
	cur := []*results.Run{again, measuredRun(4, 1.3, 6), measuredRun(5, 1.3, 6), measuredRun(6, 1.3, 6)}
	orphan := measuredRun(7, 1, 6)
	orphan.Meta.Scenario = "new-scenario"
	s, err := Suites(base, append(cur, orphan), results.CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSuites(t *testing.T) {
	s := suites(t)
	if len(s) != 3 {
		t.Fatalf("%d suites, want node-loss (model), new-scenario, steady", len(s))
	}
	byName := map[string]Suite{}
	for _, x := range s {
		byName[x.Scenario] = x
	}
	if m := byName["node-loss"]; m.Changed || m.Failed() {
		t.Errorf("the model against itself (another build): changed %v, failed %v", m.Changed, m.Failed())
	}
	if o := byName["new-scenario"]; !o.Missing || !o.Failed() {
		t.Errorf("a scenario without baseline: %+v", o)
	}
	st := byName["steady"]
	if !st.Failed() || len(st.Comparison.Regressions()) == 0 {
		t.Errorf("30%% slower over 3 runs: not failed (%+v)", st.Comparison)
	}
	changed, _ := results.ReadFile("testdata/node-loss.model.json")
	changed.Counters[results.Players]++
	model, _ := results.ReadFile("testdata/node-loss.model.json")
	if x, _ := Suites([]*results.Run{model}, []*results.Run{changed}, results.CompareOptions{}); !x[0].Changed || !x[0].Failed() {
		t.Error("a model whose output changed by one player passed")
	}
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, suites(t)); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/junit.golden.xml"
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("JUnit differs from %s (go test ./reports -update, then review the diff)", golden)
	}
	for _, s := range []string{`<failure message="time_to_room.p`, `regression.new-scenario.measured`, `model output identical`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("JUnit lacks %q", s)
		}
	}
}

// TestHTMLRegressionTable: the report of a comparison shows each suite
// and its verdicts.
func TestHTMLRegressionTable(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, Input{Title: "nightly", Suites: suites(t)}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Regression check against the baseline", "steady (measured): 3 baseline, 3 current run(s)", ">regression<",
		"Model output identical to the baseline", "No baseline for this scenario and source"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestSuiteFailsOffItsOwnModel: a measured suite with no regression
// fails when a run leaves the tolerance of the model of that run, and
// says which value.
func TestSuiteFailsOffItsOwnModel(t *testing.T) {
	base := []*results.Run{measuredRun(1, 1, 6), measuredRun(2, 1, 6)}
	cur := []*results.Run{measuredRun(3, 1, 6), measuredRun(4, 1, 6)}
	ofRun := &results.Run{Metrics: cur[0].Metrics, Counters: map[string]int64{results.Allocations: 1000, results.RecoveriesOK: 100}}
	cur[0].ModelCheck = results.CheckModel(ofRun, cur[0])
	s, err := Suites(base, cur, results.CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s[0].Failed() {
		t.Fatalf("a run its model predicts failed: %v", s[0].ModelDeviations())
	}
	ofRun.Counters[results.RecoveriesOK] = 80
	cur[1].ModelCheck = results.CheckModel(ofRun, cur[1])
	s, _ = Suites(base, cur, results.CompareOptions{Seed: 1})
	devs := s[0].ModelDeviations()
	if !s[0].Failed() || len(devs) != 1 || devs[0].Run != 2 || devs[0].Name != results.RecoveriesOK {
		t.Errorf("recoveries_ok 100 against a model of 80: failed %v, deviations %+v", s[0].Failed(), devs)
	}
}
