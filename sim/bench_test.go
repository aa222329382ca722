package sim

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// BenchmarkBaseStockArrivals measures simulated arrivals per wall-second
// on the base-stock model (Poisson λ, exponential startup, buffer S,
// event-driven, unlimited nodes, 1-minute sessions), at two sizes: the
// event heap holds about λ·60 sessions, and its depth sets the cost.
func BenchmarkBaseStockArrivals(b *testing.B) {
	for _, size := range []struct {
		lambda float64
		s      int
		hours  time.Duration
	}{{20, 300, 20}, {200, 2000, 2}} {
		b.Run(fmt.Sprintf("lambda=%g", size.lambda), func(b *testing.B) {
			sc := baseStock(b, size.lambda, size.s, 8*time.Second, "wait", true)
			sc.Duration = scenarios.D(size.hours * time.Hour)
			var arrivals int64
			for b.Loop() {
				r, err := Run(b.Context(), sc, Options{})
				if err != nil {
					b.Fatal(err)
				}
				arrivals += r.Counters["players"]
			}
			b.ReportMetric(float64(arrivals)/b.Elapsed().Seconds(), "arrivals/s")
		})
	}
}

// BenchmarkEveningPeak1M runs evening-peak scaled to a million concurrent
// players at the peak, for 24 simulated hours.
func BenchmarkEveningPeak1M(b *testing.B) {
	sc, err := scenarios.LoadShipped("evening-peak")
	if err != nil {
		b.Fatal(err)
	}
	// Concurrent players at the peak = peak rate × mean session length.
	concurrent := sc.Curve().Peak() * sc.Players.SessionLength.Sampler().Mean()
	k := 1e6 / concurrent
	sine := *sc.Arrivals.Segments[0].Sine
	sine.Mean *= k
	sine.Amplitude *= k
	sc.Arrivals.Segments = []scenarios.Segment{{Sine: &sine}}
	count := int(float64(*sc.Fleet.Policy.MinAvailable.Count) * k)
	sc.Fleet.Policy.MinAvailable = &scenarios.MinAvailable{Count: &count}
	sc.Nodes.Max = int(float64(sc.Nodes.Max) * k)
	if err := sc.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := Run(b.Context(), sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Counters["players"]), "players")
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "wall-s/day")
}

// BenchmarkSweep32 runs a 32-point sweep of evening-peak. The 1- vs
// 2-core speed-up is measured by `make bench` with separate processes
// (GOMAXPROCS=1 and 2): in-process `-cpu 1,2` timings swing widely here.
func BenchmarkSweep32(b *testing.B) {
	doc, err := scenarios.ShippedDocument("evening-peak")
	if err != nil {
		b.Fatal(err)
	}
	axes := []Axis{{Path: "fleet.policy.minAvailable.count", From: 1, To: 32, Step: 1}}
	for b.Loop() {
		if _, err := Sweep(context.Background(), doc, ".", axes, 1, 0, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
