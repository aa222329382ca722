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
	var p Pool
	for _, r := range runs {
		if err := p.Add(r); err != nil {
			return nil, err
		}
	}
	return p.Run(), nil
}

// Pool merges replications one at a time, as Merge does at once, so a
// caller that simulates many days need not hold them all.
type Pool struct {
	n     int
	out   *Run
	hists map[string]*Histogram
}

// Add pools one more replication.
func (p *Pool) Add(r *Run) error {
	if p.out == nil {
		p.out = &Run{
			Meta:     r.Meta,
			Counters: map[string]int64{},
			Series:   Series{Step: r.Series.Step, Values: map[string][]float64{}},
			Events:   r.Events,
		}
		p.hists = map[string]*Histogram{}
	}
	if err := mergeHistograms(p.hists, r); err != nil {
		return err
	}
	p.n++
	out := p.out
	for name, v := range r.Counters {
		out.Counters[name] += v
	}
	out.Cost.NodeSeconds += r.Cost.NodeSeconds
	out.Cost.ServerSeconds += r.Cost.ServerSeconds
	out.Cost.IdleServerSeconds += r.Cost.IdleServerSeconds
	out.Cost.Money += r.Cost.Money
	for name, vals := range r.Series.Values {
		acc, ok := out.Series.Values[name]
		if !ok {
			acc = make([]float64, len(vals))
		}
		for i := range min(len(acc), len(vals)) {
			acc[i] += vals[i]
		}
		out.Series.Values[name] = acc
	}
	return nil
}

// Len is the number of replications pooled.
func (p *Pool) Len() int { return p.n }

// Run returns the pooled run, summarized, and empties the pool; nil when
// nothing was added.
func (p *Pool) Run() *Run {
	if p.out == nil {
		return nil
	}
	out, n := p.out, float64(p.n)
	out.Meta.Replications = p.n
	for _, vals := range out.Series.Values {
		for i := range vals {
			vals[i] /= n
		}
	}
	c := out.Cost
	out.Cost = Cost{NodeSeconds: round6(c.NodeSeconds / n), ServerSeconds: round6(c.ServerSeconds / n),
		IdleServerSeconds: round6(c.IdleServerSeconds / n), Money: round6(c.Money / n)}
	out.Metrics = map[string]Metric{}
	out.Histograms = p.hists
	out.Summarize()
	*p = Pool{}
	return out
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
