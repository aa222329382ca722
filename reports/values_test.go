package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/results"
)

// checkRendered fails t if html has a NaN or an Inf anywhere, or a chart
// that is not well-formed XML.
func checkRendered(t *testing.T, html string) {
	t.Helper()
	for _, bad := range []string{"NaN", "Inf"} {
		if i := strings.Index(html, bad); i >= 0 {
			t.Errorf("report has %q: …%s…", bad, html[max(0, i-100):min(len(html), i+40)])
		}
	}
	n := 0
	for rest := html; ; n++ {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "</svg>")
		if j < 0 {
			t.Fatal("an <svg> without its </svg>")
		}
		svg := rest[i : i+j+len("</svg>")]
		if err := parseXML(svg); err != nil {
			t.Errorf("chart %d is not XML: %v\n%.300s", n, err, svg)
		}
		rest = rest[i+j:]
	}
	if n == 0 {
		t.Error("report has no chart")
	}
}

func parseXML(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		if _, err := d.Token(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// extremeRun is the node-loss fixture with every series point, latency,
// cost and scale-up stage set by at (point k of a series), built in
// memory: past what Validate admits (negative values) on purpose.
func extremeRun(t *testing.T, at func(k int) float64) *results.Run {
	t.Helper()
	r, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, vals := range r.Series.Values {
		for k := range vals {
			vals[k] = at(k)
		}
		r.Series.Values[name] = vals
	}
	v := at(0)
	for name, m := range r.Metrics {
		m.Min, m.P50, m.P90, m.P95, m.P99, m.P999, m.Max, m.Mean = v, v, v, v, v, v, v, v
		r.Metrics[name] = m
	}
	r.Cost = results.Cost{NodeSeconds: v, ServerSeconds: v, IdleServerSeconds: v, Money: v}
	// Stages that go up and down: the stacked parts add up past float64.
	r.ScaleUps = []results.ScaleUp{{Node: "a", At: "1m", Created: at(0), Ready: at(1), PodRunning: at(2), RoomReady: at(3)},
		{Node: "b", At: "2m", Created: math.MaxFloat64, PodRunning: math.MaxFloat64}}
	for i := range r.Verdicts {
		r.Verdicts[i].Value = v
	}
	return r
}

// Charts, tables and their arithmetic (ranges, ticks, scaling, sums,
// storms' totals) give finite numbers and well-formed SVG for any finite
// input: issue 26's values near the float limit.
func TestExtremeValuesRenderFinite(t *testing.T) {
	cases := map[string]func(k int) float64{
		"1e308":            func(int) float64 { return 1e308 },
		"largest float":    func(int) float64 { return math.MaxFloat64 },
		"most negative":    func(int) float64 { return -math.MaxFloat64 },
		"smallest float":   func(int) float64 { return 5e-324 },
		"negative tiny":    func(int) float64 { return -5e-324 },
		"zero":             func(int) float64 { return 0 },
		"huge beside tiny": func(k int) float64 { return []float64{math.MaxFloat64, 5e-324, -1, 1e-300}[k%4] },
		"both ends":        func(k int) float64 { return []float64{math.MaxFloat64, -math.MaxFloat64}[k%2] },
	}
	for name, at := range cases {
		t.Run(name, func(t *testing.T) {
			run := extremeRun(t, at)
			measured := extremeRun(t, at)
			measured.Meta.Source = results.SourceMeasured
			v := at(0)
			in := Input{Title: name, Runs: []*results.Run{run, measured}, CostLabel: "money",
				Frontier: []FrontierPoint{{Label: "a", Cost: v, P99: at(1), Pass: true, Pareto: true}, {Label: "b", Cost: at(2), P99: at(3), Pareto: true}, {Label: "c", Cost: -v, P99: v}},
				Plan:     &results.Plan{Knob: "k", Steps: []results.PlanStep{{AtSeconds: 0, PeakRate: at(1), Count: 3}, {AtSeconds: 3600, PeakRate: at(2), Count: 9}}, Day: run},
			}
			var b bytes.Buffer
			if err := HTML(&b, in); err != nil {
				t.Fatal(err)
			}
			// Both runs alike: the model-beside-measurement section's
			// relative errors are 0 (compare.go formats them; see issue 26).
			html := b.String()
			checkRendered(t, html)
		})
	}
}

func TestNiceCeilAndTicksStayFinite(t *testing.T) {
	for _, v := range []float64{5e-324, 1e-310, 1e-300, 0.3, 1, 7, 1e300, 1.5e308, math.MaxFloat64} {
		c := niceCeil(v)
		if !finite(c) || c < v {
			t.Errorf("niceCeil(%g) = %g, want a finite value ≥ it", v, c)
		}
	}
	if got := niceCeil(0.3); got != 0.5 {
		t.Errorf("niceCeil(0.3) = %g, want 0.5", got)
	}
	spans := [][2]float64{{0, 5e-324}, {1e308, math.MaxFloat64}, {-math.MaxFloat64, math.MaxFloat64}, {1e300, 1e300 + 1e285}, {0, 120}, {-3, 3}}
	for _, s := range spans {
		for _, ticks := range [][]tick{roundTicks(s[0], s[1]), linearTicks(s[0], s[1])} {
			if len(ticks) == 0 || len(ticks) > 8 {
				t.Errorf("ticks over %g…%g: %d", s[0], s[1], len(ticks))
			}
			for _, tk := range ticks {
				if !finite(tk.v) || strings.Contains(tk.label, "NaN") || strings.Contains(tk.label, "Inf") {
					t.Errorf("ticks over %g…%g: %v", s[0], s[1], ticks)
				}
			}
		}
	}
	a := axis{min: -math.MaxFloat64, max: math.MaxFloat64}
	for _, v := range []float64{-math.MaxFloat64, 0, math.MaxFloat64} {
		if y := a.scale(v, 0, 100); !(y >= 0 && y <= 100) {
			t.Errorf("scale(%g) over the whole float range = %g, want within [0, 100]", v, y)
		}
	}
	if y := (axis{0, 5e-324}).scale(-1, 0, 100); y != -100 {
		t.Errorf("a value far below a tiny axis = %g, want held at −100", y)
	}
}

// Text from a run (node names, event kinds, sweep settings) with
// controls XML forbids still makes well-formed charts.
func TestChartTextIsXML(t *testing.T) {
	run, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	hostile := "a\x00b\x1b[31mc\u202ed\ufffee\xff<&\"'"
	run.Meta.Scenario = hostile
	run.ScaleUps = []results.ScaleUp{{Node: hostile, At: "1m", Created: 1, Ready: 2, PodRunning: 3, RoomReady: 4}}
	in := Input{Title: hostile, Runs: []*results.Run{run}, Frontier: []FrontierPoint{{Label: hostile, Cost: 1, P99: 2}}, CostLabel: hostile}
	var b bytes.Buffer
	if err := HTML(&b, in); err != nil {
		t.Fatal(err)
	}
	checkRendered(t, b.String())
	if got := esc(hostile); got != "a\uFFFDb\uFFFD[31mc\u202ed\uFFFDe\uFFFD&lt;&amp;&#34;&#39;" {
		t.Errorf("esc = %q", got)
	}
}
