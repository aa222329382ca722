package results

import (
	"fmt"
	"math"
)

// The model of a run must predict it within these (issue: each latency
// metric's p50 and p90 within 15%, each counter within max(2, 10%)).
const (
	ModelLatencyTolerance = 0.15
	ModelCounterTolerance = 0.10
	ModelCounterFloor     = 2
	// ModelWallFloor is the spread of a player's requests around the
	// medians the model of the run adds (claim, join, reconnect handshake:
	// 10–70 ms each, measured on the local cluster), in wall seconds;
	// times the speedup it is an absolute floor on a latency's allowed
	// error.
	ModelWallFloor = 0.05
	// ModelRankZ is how many standard errors of an empirical quantile's
	// rank (sqrt(q(1−q)/n) for n samples) the model's quantile band spans:
	// about 95%.
	ModelRankZ = 2
)

// modelCheckedMetrics are the latencies the model of a run predicts. The
// calibration's own inputs (pod_startup, node_boot) are left out: they
// agree by construction.
var modelCheckedMetrics = []string{TimeToRoom, MatchWait, AllocWait, ReconnectLatency, AutoscaleLag}

// modelCheckedCounters are the counters it predicts. allocation_waits is
// left out: the engines count it differently (see AllocationWaits).
var modelCheckedCounters = []string{Players, Matches, Allocations, AllocationFailures, Disconnects, Reconnects,
	RecoveriesOK, RecoveriesFailed, NodesAdded, NodesRemoved}

// ModelCheck is a measured run judged against the model of this run.
type ModelCheck struct {
	Deviations []Deviation `json:"deviations"`
}

// Deviation is one value compared.
type Deviation struct {
	Name     string  `json:"name"` // "time_to_room p90", "disconnects"
	Model    float64 `json:"model"`
	Measured float64 `json:"measured"`
	Allowed  float64 `json:"allowed"` // the largest |measured − model| that passes
	// Band is, for a percentile, the model's values over the ranks the
	// measured one could hold by sampling alone (its quantile ±
	// ModelRankZ standard errors at the measured count): a measurement in
	// it passes too. With few samples of a two-mode distribution (a
	// match's first and second players) a p50 can fall anywhere between
	// the modes, and the 15% rule alone judged that noise.
	Band []float64 `json:"band,omitempty"`
	Pass bool      `json:"pass"`
}

func (d Deviation) String() string {
	s := fmt.Sprintf("%s: measured %.4g, model of this run %.4g (allowed ±%.3g", d.Name, d.Measured, d.Model, d.Allowed)
	if len(d.Band) == 2 {
		s += fmt.Sprintf(", or the model's %.4g–%.4g at this sample size", d.Band[0], d.Band[1])
	}
	return s + ")"
}

// CheckModel compares a measured run with the model of it.
func CheckModel(ofRun, measured *Run) *ModelCheck {
	c := &ModelCheck{}
	floor := ModelWallFloor * math.Max(1, measured.Meta.Speedup)
	for _, name := range modelCheckedMetrics {
		a, b := ofRun.Metrics[name], measured.Metrics[name]
		if a.Count == 0 && b.Count == 0 {
			continue
		}
		model, _ := ofRun.Histogram(name)
		for _, p := range []struct {
			stat      string
			q         float64
			model, me float64
		}{{"p50", 0.5, a.P50, b.P50}, {"p90", 0.9, a.P90, b.P90}} {
			c.add(name+" "+p.stat, p.model, p.me, math.Max(ModelLatencyTolerance*p.model, floor))
			if model != nil && b.Count > 0 {
				c.band(model, p.q, b.Count)
			}
		}
	}
	for _, name := range modelCheckedCounters {
		m, me := float64(ofRun.Counters[name]), float64(measured.Counters[name])
		c.add(name, m, me, math.Max(ModelCounterFloor, ModelCounterTolerance*m))
	}
	return c
}

func (c *ModelCheck) add(name string, model, measured, allowed float64) {
	c.Deviations = append(c.Deviations, Deviation{Name: name, Model: model, Measured: measured, Allowed: allowed,
		Pass: math.Abs(measured-model) <= allowed})
}

// band gives the last deviation the model's quantile band for n measured
// samples, and passes it if the measurement is in the band.
func (c *ModelCheck) band(model *Histogram, q float64, n int64) {
	d := &c.Deviations[len(c.Deviations)-1]
	se := ModelRankZ * math.Sqrt(q*(1-q)/float64(n))
	lo, hi := model.Quantile(math.Max(0, q-se)), model.Quantile(math.Min(1, q+se))
	d.Band = []float64{lo, hi}
	d.Pass = d.Pass || (d.Measured >= lo && d.Measured <= hi)
}

// Failed are the deviations outside their tolerance.
func (c *ModelCheck) Failed() []Deviation {
	var out []Deviation
	for _, d := range c.Deviations {
		if !d.Pass {
			out = append(out, d)
		}
	}
	return out
}
