package reports

import (
	"fmt"
	"html/template"

	"github.com/fleetbench/fleetbench/results"
)

// sizingView is the sizing check's section: each answer judged day by day.
type sizingView struct {
	S     *results.Sizing
	Rows  []sizingRow
	Chart template.HTML
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
	add("(c) DES-verified minimum", s.Verified.Days, &s.Verified.Cost)
	add("the value below (c)", s.Verified.Below, nil)
	add("configured", &s.ConfiguredDays, nil)
	v.Chart = shareChart(s)
	return v
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
