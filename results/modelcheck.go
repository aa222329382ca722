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
	// ModelWallFloor is the uncalibrated fixed cost of a player's requests
	// (WebSocket connect, matchmaker round trips, a rejoin's replay: 7–30
	// ms each, measured on the local cluster), in wall seconds; times the
	// speedup it is an absolute floor on a latency's allowed error.
	ModelWallFloor = 0.05
)

// modelCheckedMetrics are the latencies the model of a run predicts. The
// calibration's own inputs (pod_startup, node_boot) are left out: they
// agree by construction.
var modelCheckedMetrics = []string{TimeToRoom, MatchWait, AllocWait, ReconnectLatency, AutoscaleLag}

// modelCheckedCounters are the counters it predicts. allocation_waits is
// left out: the engines count it differently (see AllocationWaits).
var modelCheckedCounters = []string{Players, Matches, Allocations, AllocationFailures, Disconnects, Reconnects,
	RecoveriesOK, RecoveriesFailed, NodesAdded}

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
	Pass     bool    `json:"pass"`
}

func (d Deviation) String() string {
	return fmt.Sprintf("%s: measured %.4g, model of this run %.4g (allowed ±%.3g)", d.Name, d.Measured, d.Model, d.Allowed)
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
		for _, p := range []struct {
			stat      string
			model, me float64
		}{{"p50", a.P50, b.P50}, {"p90", a.P90, b.P90}} {
			c.add(name+" "+p.stat, p.model, p.me, math.Max(ModelLatencyTolerance*p.model, floor))
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
