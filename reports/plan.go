package reports

import (
	"fmt"
	"html/template"
	"math"

	"github.com/fleetbench/fleetbench/results"
)

// planView is a buffer schedule's section: the steps, what they cost
// beside a constant buffer, and the schedule drawn over the curve.
type planView struct {
	P     *results.Plan
	Costs []planCost
	Chart template.HTML
}

type planCost struct {
	Label   string
	Cost    results.SizingCost
	Days    *results.DayShare
	Against string // the saving against the schedule
}

func newPlanView(p *results.Plan) *planView {
	if p == nil {
		return nil
	}
	v := &planView{P: p}
	add := func(label string, c results.SizingCost, d *results.DayShare) {
		pc := planCost{Label: label, Cost: c, Days: d}
		switch {
		case !p.Found || label == "the schedule":
		case d != nil && d.Decision != results.Meets:
			pc.Against = "not shown to meet the SLOs: no saving to compare"
		case c.IdleServerHours > 0:
			pc.Against = fmt.Sprintf("the schedule saves %.0f%% of its idle server-hours", 100*(1-p.Cost.IdleServerHours/c.IdleServerHours))
		}
		v.Costs = append(v.Costs, pc)
	}
	if p.Found {
		add("the schedule", p.Cost, p.Days)
	}
	if p.Constant.Found {
		add(fmt.Sprintf("constant minimum (sizing check (c)): %d", p.Constant.Value), p.Constant.Cost, p.Constant.Days)
	}
	add(fmt.Sprintf("configured: %d", p.Configured.Value), p.Configured.Cost, p.Configured.Days)
	v.Chart = planChart(p)
	return v
}

// planChart draws the schedule's count as steps over the arrival rate
// (scaled onto the count's axis) and the ready buffer of one day.
func planChart(p *results.Plan) template.HTML {
	if len(p.Steps) == 0 {
		return ""
	}
	end := p.Steps[len(p.Steps)-1].AtSeconds * 2
	if len(p.Steps) > 1 {
		end = p.Steps[len(p.Steps)-1].AtSeconds + p.Steps[1].AtSeconds
	}
	div, xl := timeAxis(end)
	count := line{Name: "scheduled count"}
	peak, maxCount := 0.0, 0.0
	for i, s := range p.Steps {
		to := end
		if i+1 < len(p.Steps) {
			to = p.Steps[i+1].AtSeconds
		}
		count.X = append(count.X, s.AtSeconds/div, to/div)
		count.Y = append(count.Y, float64(s.Count), float64(s.Count))
		peak, maxCount = math.Max(peak, s.PeakRate), math.Max(maxCount, float64(s.Count))
	}
	lines := []line{count}
	if d := p.Day; d != nil {
		ready := seriesLine(d, results.SeriesReadyBuffer)
		ready.Name = "ready buffer (one day)"
		arrivals := seriesLine(d, results.SeriesArrivals)
		scale := 1.0
		if s := maxCount / peak; peak > 0 && finite(s) {
			scale = s // not past float64: a peak of 5e-324 leaves the arrivals as they are
		}
		arrivals.Name = fmt.Sprintf("arrivals/s × %.3g", scale)
		arrivals.Dash = true
		for k := range ready.X {
			ready.X[k] /= div
		}
		for k := range arrivals.X {
			arrivals.X[k] /= div
			arrivals.Y[k] *= scale
		}
		lines = append(lines, ready, arrivals)
	}
	return chart("The schedule over the day", xl, "rooms", lines, roundTicks(0, end/div))
}
