// Package reports renders runs into a self-contained HTML report (no
// external URL, no script) and text summaries.
package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/fleetbench/fleetbench/results"
)

//go:embed templates/*.html
var templates embed.FS

// FrontierPoint is one sweep point on the cost vs p99 time-to-room plane.
type FrontierPoint struct {
	Label  string
	Cost   float64
	P99    float64
	Pass   bool
	Pareto bool
}

// Input is what a report shows: runs (model and/or measured) and,
// optionally, a sweep's frontier.
type Input struct {
	Title     string
	Runs      []*results.Run
	Frontier  []FrontierPoint
	CostLabel string
	// Suites are a regression comparison's (loadgen compare).
	Suites []Suite
	// Sizing is a sizing check's answer (sim check).
	Sizing *results.Sizing
	// Plan is a buffer schedule (sim plan).
	Plan *results.Plan
	// Scenario is the scenario's YAML, echoed at the end.
	Scenario string
}

type runView struct {
	Run      *results.Run
	Label    string
	Counters []kv
	Charts   []template.HTML
	Storms   []stormView
	// Background is the reconnects before the first disruption.
	Background float64
	Reasons    []kv
	ScaleUps   template.HTML
	Failed     int // SLOs missed
	// ServerHours is the rooms' cost in scenario time: under
	// OpenKruiseGame it counts the recycled rooms that wait for deletion.
	ServerHours float64
	// The rows of the scale-up, event and storm tables, each cut to
	// maxTableRows; More* count the rows not shown.
	ScaleUpRows                          []results.ScaleUp
	Events                               []results.Event
	MoreScaleUps, MoreEvents, MoreStorms int
}

type kv struct {
	K string
	V int64
}

// HTML writes the report.
func HTML(w io.Writer, in Input) error {
	t, err := template.New("report.html").Funcs(template.FuncMap{
		"num":    fmtValue,
		"change": FormatChange,
	}).ParseFS(templates, "templates/report.html")
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	data := struct {
		Title    string
		Runs     []runView
		Frontier template.HTML
		Points   []FrontierPoint
		Cheapest *FrontierPoint
		Compare  *comparison
		Suites   []Suite
		Sizing   *sizingView
		Plan     *planView
		Scenario string
	}{Title: in.Title, Suites: in.Suites, Sizing: newSizingView(in.Sizing), Plan: newPlanView(in.Plan), Scenario: in.Scenario}
	// A caller reading files checks them with CheckInputs first; this is
	// the bound for the ones that do not.
	if len(in.Runs) > MaxRuns {
		return CheckInputs(len(in.Runs), 0)
	}
	for _, r := range in.Runs {
		data.Runs = append(data.Runs, view(r))
	}
	if model, ofRun, measured := pairOf(in.Runs); (model != nil || ofRun != nil) && measured != nil {
		if data.Compare, err = compareView(model, ofRun, measured); err != nil {
			return err
		}
	}
	if len(in.Frontier) > 0 {
		data.Frontier = frontierChart(in.Frontier, in.CostLabel)
		data.Points = in.Frontier
		if c, ok := Cheapest(in.Frontier); ok {
			data.Cheapest = &c
		}
	}
	if err := t.Execute(&cappedWriter{w: w, left: MaxHTMLBytes}, data); err != nil {
		return fmt.Errorf("rendering report: %w", err)
	}
	return nil
}

func view(r *results.Run) runView {
	name, source := short(r.Meta.Scenario, maxLabel), r.Meta.Source
	if source == results.SourceModel && r.Calibration != nil {
		source = "model of this run" // the model with the real run's measured overheads
	}
	v := runView{Run: r, Label: fmt.Sprintf("%s · %s · seed %d", name, source, r.Meta.Seed), ServerHours: r.Cost.ServerSeconds / 3600}
	if n := r.Meta.Replications; n > 1 {
		v.Label = fmt.Sprintf("%s · %s · %d days pooled from seed %d", name, source, n, r.Meta.Seed)
	}
	if r.Meta.Provider != "" {
		v.Label += " · " + short(r.Meta.Provider, maxLabel)
	}
	storms, background := results.Storms(r)
	storms, v.MoreStorms = firstN(storms, maxTableRows)
	v.Storms, v.Background = stormViews(r, storms), background
	v.Reasons, v.ScaleUps = reasons(r), scaleUpChart(r.ScaleUps)
	v.ScaleUpRows, v.MoreScaleUps = firstN(r.ScaleUps, maxTableRows)
	v.Events, v.MoreEvents = firstN(r.Events, maxTableRows)
	for _, vd := range r.Verdicts {
		if !vd.Pass {
			v.Failed++
		}
	}
	for k, c := range r.Counters {
		v.Counters = append(v.Counters, kv{k, c})
	}
	sort.Slice(v.Counters, func(i, j int) bool { return v.Counters[i].K < v.Counters[j].K })
	v.Charts = append(v.Charts,
		percentileChart(r),
		splitChart(r),
		overTimeChart(r),
		seriesChart(r, "Arrivals, allocations and failures", "per second", results.SeriesArrivals, results.SeriesAllocations, results.SeriesFailures),
		seriesChart(r, "Ready buffer against target", "servers", results.SeriesReadyBuffer, results.SeriesTarget, results.SeriesStarting),
		seriesChart(r, "Allocated rooms and waiting matches", "count", results.SeriesAllocated, results.SeriesWaitingMatch),
		seriesChart(r, "Nodes and pending pods", "count", results.SeriesNodes, results.SeriesPendingPods),
	)
	return v
}

// seriesChart plots named series against hours (or minutes) of the run.
func seriesChart(r *results.Run, title, unit string, names ...string) template.HTML {
	var lines []line
	step := r.Series.Step.Seconds()
	div, xl := timeAxis(float64(len(r.Series.Values[names[0]])) * step)
	for i, n := range names {
		if len(r.Series.Values[n]) == 0 {
			continue
		}
		l := seriesLine(r, n)
		l.Dash = i > 0 && n == results.SeriesTarget
		for k := range l.X {
			l.X[k] /= div
		}
		lines = append(lines, l)
	}
	end := float64(len(r.Series.Values[names[0]])) * step / div
	return chart(title, xl, unit, lines, roundTicks(0, end))
}

// percentileTicks are the percentile axis: x = log10(1/(1−q)), so 90%,
// 99%, 99.9% are evenly spaced.
var percentileTicks = []tick{{0, "0%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}}

// percentileChart draws latency distributions on the percentile axis.
func percentileChart(r *results.Run) template.HTML {
	return chart("Latency distribution (percentile axis)", "percentile", "seconds",
		percentileLines(r, results.TimeToRoom, results.MatchWait, results.AllocWait, results.ReconnectLatency), percentileTicks)
}

func percentileLines(r *results.Run, names ...string) []line {
	var lines []line
	for _, name := range names {
		if r.Metrics[name].Count == 0 {
			continue
		}
		h, err := r.Histogram(name)
		if err != nil {
			continue
		}
		l := line{Name: name}
		for k := 0; k <= 80; k++ {
			q := 1 - math.Pow(10, -float64(k)/20)
			l.X = append(l.X, float64(k)/20)
			l.Y = append(l.Y, h.Quantile(q))
		}
		lines = append(lines, l)
	}
	return lines
}

// frontierChart plots every sweep point's cost against p99 time-to-room
// and joins the Pareto-optimal ones.
func frontierChart(ps []FrontierPoint, costLabel string) template.HTML {
	var front []FrontierPoint
	for _, p := range ps {
		if p.Pareto {
			front = append(front, p)
		}
	}
	sort.Slice(front, func(i, j int) bool { return front[i].Cost < front[j].Cost })
	pass := line{Name: "meets SLOs", Markers: true, Color: "#1a7f37"}
	fail := line{Name: "misses SLOs", Markers: true, Color: "#cf222e"}
	for _, p := range ps {
		l := &fail
		if p.Pass {
			l = &pass
		}
		l.X, l.Y = append(l.X, p.Cost), append(l.Y, p.P99)
	}
	f := line{Name: "Pareto frontier", Dash: true, Color: "#777"}
	for _, p := range front {
		f.X, f.Y = append(f.X, p.Cost), append(f.Y, p.P99)
	}
	return chart("Cost against p99 time to room", costLabel, "p99 seconds", []line{f, pass, fail}, nil)
}

// NewFrontierPoint is a sweep point (its settings, cost, p99 time to
// room, verdicts) on the frontier chart, priced in money when the
// scenario has a price, else node-hours, else server-hours (the label).
func NewFrontierPoint(set map[string]string, c results.Cost, p99 float64, pass, pareto bool) (FrontierPoint, string) {
	var parts []string
	for k, v := range set {
		parts = append(parts, k[strings.LastIndex(k, ".")+1:]+"="+v)
	}
	slices.Sort(parts)
	p := FrontierPoint{Label: strings.Join(parts, " "), P99: p99, Pass: pass, Pareto: pareto}
	switch {
	case c.Money > 0:
		p.Cost = c.Money
		return p, "cost (money)"
	case c.NodeSeconds > 0:
		p.Cost = c.NodeSeconds / 3600
		return p, "node-hours"
	}
	p.Cost = c.ServerSeconds / 3600
	return p, "server-hours"
}

// Cheapest returns the cheapest point that meets every SLO.
func Cheapest(ps []FrontierPoint) (FrontierPoint, bool) {
	var best FrontierPoint
	found := false
	for _, p := range ps {
		if p.Pass && (!found || p.Cost < best.Cost) {
			best, found = p, true
		}
	}
	return best, found
}
