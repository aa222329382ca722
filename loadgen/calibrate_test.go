package loadgen

import (
	"math"
	"testing"

	"github.com/fleetbench/fleetbench/conformance"
	"github.com/fleetbench/fleetbench/results"
)

// TestCalibrateFromTheRunsOwnEvents: the overheads are the medians of
// what the run measured less what the scenario configures, in scenario
// and wall seconds; a stage faster than configured adds nothing.
func TestCalibrateFromTheRunsOwnEvents(t *testing.T) {
	sc, err := conformance.Load("scaleup") // startup 10 s; batch 1 + provision 5 + boot 30 s
	if err != nil {
		t.Fatal(err)
	}
	hist := func(xs ...float64) *results.Histogram {
		h := results.NewHistogram()
		for _, x := range xs {
			h.Record(x)
		}
		return h
	}
	st := stages{startups: []float64{10.5, 30, 11.2}, // median 11.2
		claims: hist(0.02, 0.03, 0.9), handshakes: hist(0.05), rejoins: hist(0.015, 0.04)}
	run := &results.Run{Meta: results.Meta{Speedup: 2}, Histograms: map[string]*results.Histogram{results.Connect: hist(0.01, 0.012)},
		ScaleUps: []results.ScaleUp{{Ready: 40}, {Ready: 39}, {Ready: 60}, {Created: 3}}} // median of 39, 40, 60
	c := calibrate(run, sc, st)
	for _, o := range []struct {
		name      string
		got       results.Overhead
		want      float64
		n         int
		tolerance float64
	}{
		{"pod start", c.PodStart, 1.2, 3, 1e-9},
		{"node ready", c.NodeReady, 4, 3, 1e-9},
		{"allocate", c.Allocate, 0.03, 3, 1e-4}, // histogram resolution
		{"join", c.Join, 0.01, 2, 1e-4},
		{"reconnect", c.Reconnect, 0.05, 1, 1e-4},
		{"rejoin", c.Rejoin, 0.015, 2, 1e-4}, // the lower median of two
	} {
		if math.Abs(o.got.Seconds-o.want) > o.tolerance || math.Abs(o.got.Wall-o.want/2) > o.tolerance || o.got.Samples != o.n {
			t.Errorf("%s: %+v, want %g s (%g s wall) from %d samples", o.name, o.got, o.want, o.want/2, o.n)
		}
	}
	if q := c.Allocate.Quantiles; len(q) != overheadQuantiles || math.Abs(q[0]-0.02) > 1e-4 || math.Abs(q[len(q)-1]-0.9) > 1e-3 {
		t.Errorf("the claims' distribution %v: want %d points from 0.02 to 0.9", q, overheadQuantiles)
	}
	fast := &results.Run{Meta: results.Meta{Speedup: 1}, ScaleUps: []results.ScaleUp{{Ready: 20}}}
	if c := calibrate(fast, sc, stages{}); c.NodeReady.Seconds != 0 || c.NodeReady.Samples != 1 || c.PodStart.Samples != 0 {
		t.Errorf("faster than configured, or unmeasured: %+v", c)
	}
}
