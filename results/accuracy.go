package results

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Accuracy is how far a measured run lies from the model's prediction
// for one latency metric (both in scenario seconds).
type Accuracy struct {
	Metric          string
	Model, Measured Metric
	// RelP50, RelP90, RelP99 are (measured − model) / model; NaN where the
	// model predicts 0 (a relative error is undefined: read W1 instead).
	RelP50, RelP90, RelP99 float64
	// KS is the Kolmogorov–Smirnov D between the two distributions (0 same,
	// 1 disjoint); W1 the Wasserstein-1 distance in seconds: the mean shift
	// needed to turn one into the other.
	KS, W1 float64
}

// latencyMetrics are the metrics compared (model against measurement,
// baseline against current), in report order.
func latencyMetrics() []string {
	return []string{TimeToRoom, MatchWait, AllocWait, Connect, ReconnectLatency, AutoscaleLag, PodStartup, NodeBoot}
}

// CompareModel measures each metric both runs hold with samples.
func CompareModel(model, measured *Run) ([]Accuracy, error) {
	var out []Accuracy
	for _, name := range latencyMetrics() {
		a, b := model.Metrics[name], measured.Metrics[name]
		if a.Count == 0 || b.Count == 0 {
			continue
		}
		ha, err := model.Histogram(name)
		if err != nil {
			return nil, err
		}
		hb, err := measured.Histogram(name)
		if err != nil {
			return nil, err
		}
		ks, w1 := distances(ha, hb)
		out = append(out, Accuracy{Metric: name, Model: a, Measured: b,
			RelP50: rel(b.P50, a.P50), RelP90: rel(b.P90, a.P90), RelP99: rel(b.P99, a.P99), KS: ks, W1: w1})
	}
	return out, nil
}

// distances are the KS D and Wasserstein-1 distance of two histograms.
func distances(a, b *Histogram) (ks, w1 float64) {
	xa, wa := a.Distribution()
	xb, wb := b.Distribution()
	ks = stat.KolmogorovSmirnov(xa, wa, xb, wb)
	// WassersteinDistance normalizes the weights it is given in place.
	w1 = stat.WassersteinDistance(xa, xb, slices.Clone(wa), slices.Clone(wb))
	return ks, w1
}

func rel(measured, model float64) float64 {
	if model == 0 {
		return math.NaN()
	}
	return (measured - model) / model
}

// Distribution is the histogram's recorded values in seconds (each
// bucket's midpoint, ascending) with their counts: the weighted sample
// gonum's KS and Wasserstein functions take.
func (h *Histogram) Distribution() (values, weights []float64) {
	for _, b := range h.h.Distribution() {
		if b.Count == 0 {
			continue
		}
		values = append(values, float64(b.From+b.To)/2/unitsPerSecond)
		weights = append(weights, float64(b.Count))
	}
	return values, weights
}

// KS is the Kolmogorov–Smirnov D between two histograms' distributions.
func KS(a, b *Histogram) float64 {
	ks, _ := distances(a, b)
	return ks
}

// W1 is the Wasserstein-1 distance between two histograms' distributions
// in seconds: the mean shift that turns one into the other.
func W1(a, b *Histogram) float64 {
	_, w1 := distances(a, b)
	return w1
}
