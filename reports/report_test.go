package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/results"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func loadInput(t *testing.T) Input {
	t.Helper()
	run, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/small.sweep.json")
	if err != nil {
		t.Fatal(err)
	}
	var sweep struct {
		Points []struct {
			Set    map[string]string
			P99    float64 `json:"timeToRoomP99"`
			Cost   results.Cost
			Pass   bool
			Pareto bool
		}
	}
	if err := json.Unmarshal(data, &sweep); err != nil {
		t.Fatal(err)
	}
	scenario, err := os.ReadFile("../scenarios/node-loss.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Title: "golden", Runs: []*results.Run{run}, CostLabel: "server-hours", Scenario: string(scenario)}
	for _, p := range sweep.Points {
		in.Frontier = append(in.Frontier, FrontierPoint{Label: "size=" + p.Set["fleet.policy.buffer.size"], Cost: p.Cost.ServerSeconds / 3600, P99: p.P99, Pass: p.Pass, Pareto: p.Pareto})
	}
	return in
}

func TestHTMLGolden(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, loadInput(t)); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "report.golden.html", b.Bytes())
}

// assertGolden compares got with testdata/name, rewriting it with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report differs from %s (run go test ./reports -update and review the diff)", golden)
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, loadInput(t)); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	// No fetchable reference: no URL scheme, protocol-relative src/href,
	// CSS import or url(), and no script at all.
	for _, pat := range []string{`(?i)https?://`, `(?i)(src|href)\s*=\s*["']?//`, `(?i)@import`, `(?i)url\(`, `(?i)<script`, `(?i)<link`} {
		if loc := regexp.MustCompile(pat).FindStringIndex(html); loc != nil {
			t.Errorf("report has %q at %d: %q", pat, loc[0], html[max(0, loc[0]-40):min(len(html), loc[1]+40)])
		}
	}
	for _, want := range []string{"Summary", "SLO verdicts", "Latency distribution (percentile axis)", "Time to room and its parts",
		"Time to room over time", "Arrivals, allocations and failures", "Ready buffer against target", "Nodes and pending pods",
		"Reconnects around the nodeLoss at 1h0m0s", "Recovery and failure outcomes", "Sweep frontier", "nodeLoss", "Scenario", "kind: Scenario"} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := bytes.Count(b.Bytes(), []byte("<svg")); n < 11 {
		t.Errorf("report has %d charts, want 11", n)
	}
}

// An in-memory run (as `sim run` renders it) keeps raw histograms and no
// encoded ones: the distribution chart must still have its data.
func TestPercentileLinesFromRawHistograms(t *testing.T) {
	h := results.NewHistogram()
	for i := 1; i <= 100; i++ {
		h.Record(float64(i))
	}
	r := &results.Run{Histograms: map[string]*results.Histogram{results.TimeToRoom: h}}
	r.Summarize()
	lines := percentileLines(r, results.TimeToRoom, results.AllocWait)
	if len(lines) != 1 || lines[0].Y[len(lines[0].Y)-1] < 99 {
		t.Fatalf("percentile lines = %+v, want time_to_room reaching 100 s", lines)
	}
}

// TestModelBesideMeasurement: a model run and a measured run of one
// scenario get the comparison section: the error table with every shared
// metric, the counters side by side, the speedup caveat, the overlays.
func TestModelBesideMeasurement(t *testing.T) {
	model, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	measured, _ := results.ReadFile("testdata/node-loss.model.json")
	measured.Meta.Source, measured.Meta.Speedup, measured.Meta.Provider = results.SourceMeasured, 60, "local"
	measured.Counters[results.Players] += 7
	measured.Cost.ServerSeconds = model.Cost.ServerSeconds * 2
	var b bytes.Buffer
	if err := HTML(&b, Input{Title: "pair", Runs: []*results.Run{model, measured}}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{"Model beside measurement", "60× faster", "<td>time_to_room</td>", "<td>&#43;0%</td>",
		"Reconnects per second: model (dashed) against measured", "Model (dashed) against measured: latency distribution"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	players := regexp.MustCompile(`<tr><td>players</td><td>(\d+)</td><td>(\d+)</td></tr>`).FindStringSubmatch(html)
	if players == nil || players[1] == players[2] {
		t.Errorf("counters not side by side: %v", players)
	}
	// The rooms' cost beside the counters (what tells fleetd from OKG).
	cost := regexp.MustCompile(`<tr><td>room server-seconds</td><td>(\d+)</td><td>(\d+)</td></tr>`).FindStringSubmatch(html)
	if cost == nil || cost[1] != fmt.Sprintf("%.0f", math.Round(model.Cost.ServerSeconds)) || cost[2] != fmt.Sprintf("%.0f", math.Round(2*model.Cost.ServerSeconds)) {
		t.Errorf("server-seconds row %v, want the model's %.0f beside the measured %.0f", cost, model.Cost.ServerSeconds, 2*model.Cost.ServerSeconds)
	}
}

// TestSizingGolden renders a sizing check (sim check on cmd/sim's small
// scenario with an empty buffer) as its section of the report.
func TestSizingGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/small.check.json")
	if err != nil {
		t.Fatal(err)
	}
	var s results.Sizing
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := HTML(&b, Input{Title: "sizing golden", Sizing: &s}); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "sizing.golden.html", b.Bytes())
	for _, want := range []string{"(c) DES-verified minimum", "the value below (c)", "Share of days meeting every SLO", "misses"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("sizing section lacks %q", want)
		}
	}
	// With a recommendation and a day at each value: the comparison.
	run, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	s.Recommended, s.ConfiguredDay, s.RecommendedDay = s.Verified.Min, run, run
	b.Reset()
	if err := HTML(&b, Input{Title: "sizing", Sizing: &s}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Recommended: fleet.policy.buffer.size = 7", "Configured beside recommended", "Time to room p99 by arrival", "Ready buffer (one day"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("sizing section with a recommendation lacks %q", want)
		}
	}
}
