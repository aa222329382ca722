package loadgen

import (
	"math"
	"testing"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios/conformance"
)

// TestCalibrateFromTheRunsOwnEvents: the overheads are the medians of
// what the run measured less what the scenario configures, in scenario
// and wall seconds; a stage faster than configured adds nothing.
func TestCalibrateFromTheRunsOwnEvents(t *testing.T) {
	sc, err := conformance.Load("scaleup") // startup 10 s; batch 1 + provision 5 + boot 30 s
	if err != nil {
		t.Fatal(err)
	}
	pods := results.NewHistogram()
	for _, s := range []float64{10.5, 11.2, 30} { // median 11.2
		pods.Record(s)
	}
	run := &results.Run{Meta: results.Meta{Speedup: 2}, Histograms: map[string]*results.Histogram{results.PodStartup: pods},
		ScaleUps: []results.ScaleUp{{Ready: 40}, {Ready: 39}, {Ready: 60}, {Created: 3}}} // median of 39, 40, 60
	c := calibrate(run, sc)
	for _, o := range []struct {
		name      string
		got       results.Overhead
		want      float64
		n         int
		tolerance float64
	}{
		{"pod start", c.PodStart, 1.2, 3, 0.02}, // histogram resolution
		{"node ready", c.NodeReady, 4, 3, 1e-9},
	} {
		if math.Abs(o.got.Seconds-o.want) > o.tolerance || math.Abs(o.got.Wall-o.want/2) > o.tolerance || o.got.Samples != o.n {
			t.Errorf("%s: %+v, want %g s (%g s wall) from %d samples", o.name, o.got, o.want, o.want/2, o.n)
		}
	}
	fast := &results.Run{Meta: results.Meta{Speedup: 1}, ScaleUps: []results.ScaleUp{{Ready: 20}}}
	if c := calibrate(fast, sc); c.NodeReady.Seconds != 0 || c.NodeReady.Samples != 1 || c.PodStart.Samples != 0 {
		t.Errorf("faster than configured, or unmeasured: %+v", c)
	}
}
