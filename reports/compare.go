package reports

import (
	"fmt"
	"html/template"
	"math"

	"github.com/fleetbench/fleetbench/results"
)

// comparison is the model-beside-measurement section: a measured run and
// the model's prediction for the same scenario, in scenario time.
type comparison struct {
	Speedup float64
	// Errors are against the model of this run when there is one (the
	// model with the run's calibrated overheads), else the plain model;
	// Plain are against the plain model when Errors are not.
	Errors, Plain []accuracyRow
	Counters      []counterRow
	Calibration   *results.Calibration
	// Check is the measured run judged against the model of this run.
	Check  *results.ModelCheck
	Charts []template.HTML
}

type accuracyRow struct {
	results.Accuracy
	P50, P90, P99 string // relative errors, formatted
}

type counterRow struct {
	Name                   string
	Model, OfRun, Measured int64
}

// comparedCounters are the counters set side by side.
var comparedCounters = []string{results.Players, results.Matches, results.AllocationWaits, results.AllocationFailures,
	results.Disconnects, results.RecoveriesOK, results.RecoveriesFailed, results.NodesAdded, results.NodesRemoved}

// pairOf finds the model runs and a measured run among runs: the plain
// model, and the model of the real run (a model run with a calibration).
func pairOf(runs []*results.Run) (model, ofRun, measured *results.Run) {
	for _, r := range runs {
		switch {
		case r.Meta.Source == results.SourceModel && r.Calibration != nil:
			ofRun = r
		case r.Meta.Source == results.SourceModel:
			model = r
		case r.Meta.Source == results.SourceMeasured:
			measured = r
		}
	}
	return model, ofRun, measured
}

func compareView(model, ofRun, measured *results.Run) (*comparison, error) {
	judge := model
	if ofRun != nil {
		judge = ofRun
	}
	c := &comparison{Speedup: measured.Meta.Speedup, Calibration: measured.Calibration, Check: measured.ModelCheck}
	var err error
	if c.Errors, err = accuracyRows(judge, measured); err != nil {
		return nil, err
	}
	if ofRun != nil && model != nil {
		if c.Plain, err = accuracyRows(model, measured); err != nil {
			return nil, err
		}
	}
	for _, name := range comparedCounters {
		row := counterRow{Name: name, Measured: measured.Counters[name], OfRun: -1}
		if model != nil {
			row.Model = model.Counters[name]
		}
		if ofRun != nil {
			row.OfRun = ofRun.Counters[name]
		}
		c.Counters = append(c.Counters, row)
	}
	// The rooms' server-seconds: what separates the fleet controllers
	// (OpenKruiseGame keeps recycled rooms as pods), shown, not judged.
	cost := counterRow{Name: serverSeconds, Measured: seconds(measured.Cost.ServerSeconds), OfRun: -1}
	if model != nil {
		cost.Model = seconds(model.Cost.ServerSeconds)
	}
	if ofRun != nil {
		cost.OfRun = seconds(ofRun.Cost.ServerSeconds)
	}
	c.Counters = append(c.Counters, cost)
	c.Charts = append(c.Charts,
		overlayPercentiles(judge, measured, results.TimeToRoom, results.AllocWait, results.ReconnectLatency),
		overlaySeries(judge, measured, "Arrivals per second", "per second", results.SeriesArrivals),
		overlaySeries(judge, measured, "Ready buffer", "servers", results.SeriesReadyBuffer),
		overlaySeries(judge, measured, "Nodes", "count", results.SeriesNodes),
		overlaySeries(judge, measured, "Reconnects per second", "per second", results.SeriesReconnects),
	)
	return c, nil
}

// serverSeconds names the rooms' cost row beside the counters.
const serverSeconds = "room server-seconds"

// seconds rounds a cost in seconds to a whole second for its row.
func seconds(s float64) int64 { return int64(math.Round(s)) }

func accuracyRows(model, measured *results.Run) ([]accuracyRow, error) {
	acc, err := results.CompareModel(model, measured)
	if err != nil {
		return nil, fmt.Errorf("comparing model and measurement: %w", err)
	}
	var rows []accuracyRow
	for _, a := range acc {
		rows = append(rows, accuracyRow{Accuracy: a, P50: pct(a.RelP50), P90: pct(a.RelP90), P99: pct(a.RelP99)})
	}
	return rows, nil
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f%%", v*100)
}

// overlayPercentiles draws each metric's distribution, the model dashed.
func overlayPercentiles(model, measured *results.Run, names ...string) template.HTML {
	var lines []line
	for i, name := range names {
		color := palette[i%len(palette)]
		for _, l := range percentileLines(measured, name) {
			l.Name, l.Color = name+" measured", color
			lines = append(lines, l)
		}
		for _, l := range percentileLines(model, name) {
			l.Name, l.Color, l.Dash = name+" model", color, true
			lines = append(lines, l)
		}
	}
	return chart("Model (dashed) against measured: latency distribution", "percentile", "seconds", lines, percentileTicks)
}

// overlaySeries draws one series of both runs against scenario time.
func overlaySeries(model, measured *results.Run, title, unit, name string) template.HTML {
	m, ms := seriesLine(model, name), seriesLine(measured, name)
	m.Name, m.Dash, m.Color = "model", true, palette[0]
	ms.Name, ms.Color = "measured", palette[1]
	div, xl := timeAxis(max(float64(len(model.Series.Values[name]))*model.Series.Step.Seconds(),
		float64(len(measured.Series.Values[name]))*measured.Series.Step.Seconds()))
	for _, l := range []*line{&m, &ms} {
		for k := range l.X {
			l.X[k] /= div
		}
	}
	end := 0.0
	for _, l := range []line{m, ms} {
		if n := len(l.X); n > 0 {
			end = math.Max(end, l.X[n-1])
		}
	}
	// The model's dashed line goes on top: a noisy measured series would hide it.
	return chart(title+": model (dashed) against measured", xl, unit, []line{ms, m}, roundTicks(0, end))
}

// seriesLine is a run's series against seconds.
func seriesLine(r *results.Run, name string) line {
	l := line{Name: name}
	step := r.Series.Step.Seconds()
	for k, y := range r.Series.Values[name] {
		l.X = append(l.X, float64(k+1)*step)
		l.Y = append(l.Y, y)
	}
	return l
}

// timeAxis picks hours, or minutes for spans under three hours.
func timeAxis(seconds float64) (div float64, label string) {
	if seconds < 3*3600 {
		return 60, "minutes"
	}
	return 3600, "hours"
}
