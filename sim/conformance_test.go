package sim

import (
	"math"
	"testing"

	"github.com/fleetbench/fleetbench/conformance"
	"github.com/fleetbench/fleetbench/results"
)

// TestConformanceAnswers: the model gives every known answer exactly.
func TestConformanceAnswers(t *testing.T) {
	for _, c := range conformance.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			sc, err := conformance.Load(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			run, err := Run(t.Context(), sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range c.Answers {
				if err := a.Check(run, true); err != nil {
					t.Error(err)
				}
			}
			for name, want := range c.Counters {
				if got := run.Counters[name]; got != want {
					t.Errorf("%s = %d, want %d", name, got, want)
				}
			}
		})
	}
}

// TestOverheadsShiftTheKnownAnswers: the model of a run adds its fixed
// overheads to every pod startup, node boot, claim, join and reconnect,
// so the known answers move by exactly that much.
func TestOverheadsShiftTheKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		name, metric string
		over         results.Calibration
		want         float64
	}{
		{"exhausted", results.TimeToRoom, results.Calibration{PodStart: results.Overhead{Seconds: 1.5}}, 8 + 1.5},
		{"scaleup", results.AutoscaleLag, results.Calibration{PodStart: results.Overhead{Seconds: 1}, NodeReady: results.Overhead{Seconds: 4}}, 46 + 1 + 4},
		// A claim and a join add to every time to room, a claim to every
		// alloc_wait; a reconnect to a new room adds the claim (its later
		// attempts, while Redis is down, start that much later) and the
		// successful attempt's handshake.
		{"exhausted", results.TimeToRoom, results.Calibration{Allocate: results.Overhead{Seconds: 0.02}, Join: results.Overhead{Seconds: 0.01}}, 8.03},
		{"exhausted", results.AllocWait, results.Calibration{Allocate: results.Overhead{Seconds: 0.02}, Join: results.Overhead{Seconds: 0.01}}, 8.02},
		{"crash", results.ReconnectLatency, results.Calibration{Allocate: results.Overhead{Seconds: 0.02}, Reconnect: results.Overhead{Seconds: 0.03}}, 1.05},
		{"redis", results.ReconnectLatency, results.Calibration{Allocate: results.Overhead{Seconds: 0.02}, Reconnect: results.Overhead{Seconds: 0.03}}, 7.05},
		// A measured rejoin takes the claim's place for a displaced match
		// (not for a new one: alloc_wait keeps the claim).
		{"crash", results.ReconnectLatency, results.Calibration{Allocate: results.Overhead{Seconds: 0.02}, Rejoin: results.Overhead{Seconds: 0.04, Samples: 2}, Reconnect: results.Overhead{Seconds: 0.03}}, 1.07},
		{"exhausted", results.AllocWait, results.Calibration{Allocate: results.Overhead{Seconds: 0.02}, Rejoin: results.Overhead{Seconds: 0.04, Samples: 2}}, 8.02},
	} {
		sc, err := conformance.Load(c.name)
		if err != nil {
			t.Fatal(err)
		}
		run, err := Run(t.Context(), sc, Options{Overheads: &c.over})
		if err != nil {
			t.Fatal(err)
		}
		m := run.Metrics[c.metric]
		if math.Abs(m.Min-c.want) > c.want*1e-3 || math.Abs(m.Max-c.want) > c.want*1e-3 {
			t.Errorf("%s with %+v: %s %.3f–%.3f s, want %g", c.name, c.over, c.metric, m.Min, m.Max, c.want)
		}
		if run.Calibration == nil {
			t.Errorf("%s: the model of a run does not say what it was calibrated with", c.name)
		}
	}
}

// TestTheModelOfARunStartsWarm: a real run starts once the fleet's
// initial rooms are Ready, so the model of it starts with them Ready
// (and does not count their startups); the plain model starts them at 0.
func TestTheModelOfARunStartsWarm(t *testing.T) {
	sc, err := conformance.Load("crash") // a buffer of 4, pods start in 2 s
	if err != nil {
		t.Fatal(err)
	}
	cold, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	warm, err := Run(t.Context(), sc, Options{Overheads: &results.Calibration{}})
	if err != nil {
		t.Fatal(err)
	}
	if c, w := cold.Series.Values[results.SeriesReadyBuffer][0], warm.Series.Values[results.SeriesReadyBuffer][0]; c != 0 || w != 4 {
		t.Errorf("ready buffer in the first step: %g cold, %g warm; want 0 and 4", c, w)
	}
	if c, w := cold.Metrics[results.PodStartup].Count, warm.Metrics[results.PodStartup].Count; c-w != 4 {
		t.Errorf("startups recorded: %d cold, %d warm; want the 4 initial rooms' fewer", c, w)
	}
}

// TestOverheadsAreDrawnFromTheirDistribution: with a measured
// distribution, each reconnect draws its own handshake from it, so the
// crash's reconnects spread over 1 s + [0.01, 0.05] s instead of all
// taking the median.
func TestOverheadsAreDrawnFromTheirDistribution(t *testing.T) {
	sc, err := conformance.Load("crash")
	if err != nil {
		t.Fatal(err)
	}
	over := &results.Calibration{Reconnect: results.Overhead{Seconds: 0.03, Quantiles: []float64{0.01, 0.03, 0.05}}}
	run, err := Run(t.Context(), sc, Options{Overheads: over})
	if err != nil {
		t.Fatal(err)
	}
	m := run.Metrics[results.ReconnectLatency]
	if m.Min < 1.01-1e-3 || m.Max > 1.05+1e-3 || m.Max-m.Min < 0.005 {
		t.Errorf("reconnect_latency %.4f–%.4f s: want a spread within 1.01–1.05 s", m.Min, m.Max)
	}
	again, _ := Run(t.Context(), sc, Options{Overheads: over})
	if again.Metrics[results.ReconnectLatency] != m {
		t.Errorf("the same calibration and seed gave another model of the run")
	}
}
