package results

import "fmt"

// Merge pools replications of one scenario into one run: histograms are
// merged (so percentiles are over every sample), counters summed, cost
// and series averaged per replication. Meta and events come from the first.
func Merge(runs []*Run) (*Run, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("merge: no runs")
	}
	if len(runs) == 1 {
		if len(runs[0].Metrics) == 0 {
			runs[0].Summarize()
		}
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
		if err := mergeHistograms(hists, r); err != nil {
			return nil, err
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
	out.Histograms = hists
	out.Summarize()
	out.Cost = Cost{NodeSeconds: round6(out.Cost.NodeSeconds), ServerSeconds: round6(out.Cost.ServerSeconds),
		IdleServerSeconds: round6(out.Cost.IdleServerSeconds), Money: round6(out.Cost.Money)}
	return out, nil
}

// mergeHistograms adds a run's histograms (raw if kept, else decoded).
func mergeHistograms(into map[string]*Histogram, r *Run) error {
	add := func(name string, h *Histogram) {
		if into[name] == nil {
			into[name] = NewHistogram()
		}
		into[name].Merge(h)
	}
	if r.Histograms != nil {
		for name, h := range r.Histograms {
			add(name, h)
		}
		return nil
	}
	for name, m := range r.Metrics {
		h, err := m.Histogram()
		if err != nil {
			return fmt.Errorf("merge %s: %w", name, err)
		}
		add(name, h)
	}
	return nil
}
