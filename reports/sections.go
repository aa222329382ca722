package reports

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/fleetbench/fleetbench/results"
)

// overTimeChart draws time-to-room percentiles per step of arrival (gaps
// where no player arrived).
func overTimeChart(r *results.Run) template.HTML {
	names := []string{results.SeriesTimeToRoomP50, results.SeriesTimeToRoomP99}
	step := r.Series.Step.Seconds()
	div, xl := timeAxis(float64(len(r.Series.Values[names[0]])) * step)
	var lines []line
	end := 0.0
	for _, n := range names {
		l := seriesLine(r, n)
		for k := range l.X {
			l.X[k] /= div
			if l.Y[k] < 0 {
				l.Y[k] = math.NaN()
			}
			end = math.Max(end, l.X[k])
		}
		if len(l.X) > 0 {
			lines = append(lines, l)
		}
	}
	return chart("Time to room over time (by arrival)", xl, "seconds", lines, roundTicks(0, end))
}

// splitChart sets time to room beside its parts at p50, p90 and p99.
func splitChart(r *results.Run) template.HTML {
	groups := []string{"p50", "p90", "p99"}
	var bs []barSeries
	for _, name := range []string{results.TimeToRoom, results.MatchWait, results.AllocWait, results.Connect} {
		m, ok := r.Metrics[name]
		if !ok || m.Count == 0 {
			continue
		}
		bs = append(bs, barSeries{Name: name, Values: []float64{m.P50, m.P90, m.P99}})
	}
	return bars("Time to room and its parts: match wait, allocation wait, connect", "seconds", groups, bs)
}

// stormView is one disruption's reconnect storm, with a chart of the
// reconnects around it.
type stormView struct {
	results.Storm
	Chart template.HTML
}

func stormViews(r *results.Run, storms []results.Storm) []stormView {
	out := make([]stormView, 0, len(storms))
	step := r.Series.Step.Seconds()
	vals := r.Series.Values[results.SeriesReconnects]
	for i, s := range storms {
		if i == maxStormCharts {
			break // the table lists the rest
		}
		at := s.Event.At.Duration()
		from := max(0, int(at.Seconds()/step)-5)
		to := min(len(vals), int((at+s.Duration).Seconds()/step)+6)
		l := line{Name: "reconnects/s"}
		for i := from; i < to; i++ {
			l.X = append(l.X, (float64(i+1)*step-at.Seconds())/60)
			l.Y = append(l.Y, vals[i])
		}
		title := fmt.Sprintf("Reconnects around the %s at %s", s.Event.Kind, s.Event.At)
		var ticks []tick
		if n := len(l.X); n > 0 {
			ticks = roundTicks(l.X[0], l.X[n-1])
		}
		out = append(out, stormView{Storm: s, Chart: chart(title, "minutes from the disruption", "per second", []line{l}, ticks)})
	}
	for _, s := range storms[len(out):] {
		out = append(out, stormView{Storm: s})
	}
	return out
}

// reasons are the counters that say why: failed players by kind,
// failed recoveries by reason, interrupted players.
func reasons(r *results.Run) []kv {
	var out []kv
	for k, v := range r.Counters {
		if strings.HasPrefix(k, "players_failed_") || strings.HasPrefix(k, results.RecoveriesFailed+"_") || k == "players_interrupted" {
			if v > 0 {
				out = append(out, kv{k, v})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
	return out
}

// scaleUpChart stacks each added node's autoscale-lag stages, for the
// first maxStackRows nodes.
func scaleUpChart(ups []results.ScaleUp) template.HTML {
	if len(ups) == 0 {
		return ""
	}
	title := "Autoscale lag by stage, per added node"
	if n := len(ups); n > maxStackRows {
		ups, title = ups[:maxStackRows], fmt.Sprintf("%s: the first %d of %d", title, maxStackRows, n)
	}
	stages := []string{"pending → nominated", "→ machine started", "→ node registered", "→ node Ready", "→ pod Running", "→ room Ready"}
	var rows []stackRow
	for _, u := range ups {
		rows = append(rows, stackRow{Label: u.Node, Parts: stageParts(u.Nominated, u.Started, u.Created, u.Ready, u.PodRunning, u.RoomReady)})
	}
	return stacked(title, "seconds from the first Unschedulable room", stages, rows)
}

// stageParts turns times since the trigger into each stage's length; a
// stage not seen (0: not measured on this provider, or not reached) takes
// no time, so the next one counts from the last stage seen.
func stageParts(at ...float64) []float64 {
	parts := make([]float64, len(at))
	last := 0.0
	for i, t := range at {
		if t > last {
			parts[i], last = t-last, t
		}
	}
	return parts
}
