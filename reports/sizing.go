package reports

import (
	"fmt"
	"html/template"
	"math"

	"github.com/fleetbench/fleetbench/results"
)

// sizingView is the sizing check's section: each answer judged day by day.
type sizingView struct {
	S     *results.Sizing
	Rows  []sizingRow
	Chart template.HTML
	// SLOs set the configured value beside the recommended one.
	SLOs []sloPair
	// DayCharts draw one day (one seed) at both values.
	DayCharts []template.HTML
	Saving    string
}

// sloPair is one SLO at the configured and the recommended value.
type sloPair struct {
	SLO                   string
	Limit                 float64
	Configured, Recommend results.SLODays
	ConfiguredDays, Days  int
}

type sizingRow struct {
	Label string
	Days  *results.DayShare
	Cost  string
}

func newSizingView(s *results.Sizing) *sizingView {
	if s == nil {
		return nil
	}
	v := &sizingView{S: s}
	add := func(label string, d *results.DayShare, c *results.SizingCost) {
		if d == nil {
			return
		}
		r := sizingRow{Label: label, Days: d}
		if c != nil {
			r.Cost = fmt.Sprintf("%.0f idle server-h · %.2f", c.IdleServerHours, c.Money)
		}
		v.Rows = append(v.Rows, r)
	}
	if s.NodeRule.Applies {
		add("(a) node-size rule", s.NodeRule.Days, &s.NodeRule.Cost)
	}
	if s.Analytic.Min >= 0 {
		add("(b) analytic, free node capacity", s.Analytic.MinDays, &s.Analytic.Cost)
		add("(b) analytic, every replacement waits for a node", s.Analytic.MinWithNodeDays, nil)
	}
	if s.Verified.Found {
		add("(c) DES-verified minimum (confirmation days)", s.Verified.Days, &s.Verified.Cost)
	} else {
		add("(c) proposed, not confirmed (confirmation days)", s.Verified.Days, nil)
	}
	add("the value below (c)", s.Verified.Below, nil)
	add("configured", &s.ConfiguredDays, &s.ConfiguredCost)
	v.Chart = shareChart(s)
	if rec := s.Verified.Days; s.Recommended > 0 && rec != nil {
		for i, c := range s.ConfiguredDays.SLOs {
			if i < len(rec.SLOs) && rec.SLOs[i].SLO == c.SLO {
				v.SLOs = append(v.SLOs, sloPair{SLO: c.SLO, Limit: c.Limit, Configured: c, Recommend: rec.SLOs[i],
					ConfiguredDays: s.ConfiguredDays.Days, Days: rec.Days})
			}
		}
		c, r := s.ConfiguredCost, s.Verified.Cost
		v.Saving = fmt.Sprintf("%.0f idle server-hours a day (%.2f) against the configured %.0f (%.2f)", r.IdleServerHours, r.Money, c.IdleServerHours, c.Money)
	}
	if s.ConfiguredDay != nil && s.RecommendedDay != nil {
		runs := []namedRun{{fmt.Sprintf("configured %d", s.Configured), s.ConfiguredDay}, {fmt.Sprintf("recommended %d", s.Recommended), s.RecommendedDay}}
		seed := fmt.Sprintf(" (one day, seed %d, at both values)", s.RecommendedDay.Meta.Seed)
		v.DayCharts = []template.HTML{
			dayChart("Time to room p99 by arrival"+seed, "seconds", results.SeriesTimeToRoomP99, runs),
			dayChart("Ready buffer"+seed, "rooms", results.SeriesReadyBuffer, runs),
		}
	}
	return v
}

type namedRun struct {
	name string
	run  *results.Run
}

// dayChart draws one series of several runs of the same scenario.
func dayChart(title, unit, series string, runs []namedRun) template.HTML {
	var lines []line
	end := 0.0
	for _, r := range runs {
		end = max(end, float64(len(r.run.Series.Values[series]))*r.run.Series.Step.Seconds())
	}
	div, xl := timeAxis(end)
	for _, r := range runs {
		l := seriesLine(r.run, series)
		l.Name = r.name
		for k := range l.X {
			l.X[k] /= div
			if l.Y[k] < 0 {
				l.Y[k] = math.NaN() // a step without a sample
			}
		}
		lines = append(lines, l)
	}
	return chart(title, xl, unit, lines, roundTicks(0, end/div))
}

// shareChart plots the share of days meeting every SLO, with its
// interval, against the value for every value verified, and the target.
func shareChart(s *results.Sizing) template.HTML {
	share := line{Name: "share of days", Markers: true}
	lo := line{Name: "interval low", Dash: true, Markers: true}
	hi := line{Name: "interval high", Dash: true, Markers: true}
	target := line{Name: fmt.Sprintf("target %g", s.Rule.Target), Dash: true, Color: "#777"}
	for _, d := range s.Judged {
		x := float64(d.Value)
		share.X, share.Y = append(share.X, x), append(share.Y, d.Share)
		lo.X, lo.Y = append(lo.X, x), append(lo.Y, d.Low)
		hi.X, hi.Y = append(hi.X, x), append(hi.Y, d.High)
	}
	if len(share.X) > 0 {
		target.X = []float64{share.X[0], share.X[len(share.X)-1]}
		target.Y = []float64{s.Rule.Target, s.Rule.Target}
	}
	return chart("Share of days meeting every SLO", s.Knob, "share", []line{share, lo, hi, target}, nil)
}
