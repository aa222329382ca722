package results

import (
	"fmt"
	"slices"
)

// Merge pools replications of one scenario into one run: histograms are
// merged (so percentiles are over every sample), counters summed, cost
// and series averaged per replication. Meta and events come from the first.
func Merge(runs []*Run) (*Run, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("merge: no runs")
	}
	if len(runs) == 1 {
		return runs[0], nil
	}
	first := runs[0]
	out := &Run{
		Meta:     first.Meta,
		Metrics:  map[string]Metric{},
		Counters: map[string]int64{},
		Series:   Series{Step: first.Series.Step, Values: map[string][]float64{}},
		Events:   first.Events,
	}
	out.Meta.Replications = len(runs)
	hists := map[string]*Histogram{}
	n := float64(len(runs))
	for _, r := range runs {
		for name, m := range r.Metrics {
			h, err := m.Histogram()
			if err != nil {
				return nil, fmt.Errorf("merge %s: %w", name, err)
			}
			if hists[name] == nil {
				hists[name] = NewHistogram()
			}
			hists[name].Merge(h)
		}
		for name, v := range r.Counters {
			out.Counters[name] += v
		}
		out.Cost.NodeSeconds += r.Cost.NodeSeconds / n
		out.Cost.ServerSeconds += r.Cost.ServerSeconds / n
		out.Cost.IdleServerSeconds += r.Cost.IdleServerSeconds / n
		out.Cost.Money += r.Cost.Money / n
		for name, vals := range r.Series.Values {
			acc := out.Series.Values[name]
			if acc == nil {
				acc = make([]float64, len(vals))
			}
			for i := range min(len(acc), len(vals)) {
				acc[i] += vals[i] / n
			}
			out.Series.Values[name] = acc
		}
	}
	names := make([]string, 0, len(hists))
	for name := range hists {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		out.Metrics[name] = hists[name].Metric()
	}
	out.Cost = Cost{NodeSeconds: round6(out.Cost.NodeSeconds), ServerSeconds: round6(out.Cost.ServerSeconds),
		IdleServerSeconds: round6(out.Cost.IdleServerSeconds), Money: round6(out.Cost.Money)}
	return out, nil
}
