package loadgen

import (
	"math"
	"slices"

	"github.com/fleetbench/fleetbench/internal/dist"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// stages are a run's own measurements of the costs the model leaves out,
// in scenario seconds.
type stages struct {
	startups   []float64          // rooms: created (or their node Ready) → Ready
	claims     *results.Histogram // alloc_wait of matches that found a Ready room
	handshakes *results.Histogram // successful reconnects: last dial → verified
	rejoins    *results.Histogram // those that asked for a new room: refused dials + rejoin
}

// calibrate measures a run's fixed overheads from its own events (each
// results.Calibration field says which): how much later than the
// scenario says rooms became Ready once they could run and nodes became
// Ready once triggered, and what claiming a room, joining it and
// reconnecting cost, which the model takes to be instant. The player's
// connect comes from run's histogram. Each is a median, so a few slow
// stages do not move it; an overhead is never negative (a stage faster
// than configured is the cluster's noise, not a saving the model should
// take).
func calibrate(run *results.Run, sc *scenarios.Scenario, st stages) *results.Calibration {
	speedup := run.Meta.Speedup // > 0: the scenario's, validated
	var nodes []float64
	for _, up := range run.ScaleUps {
		if up.Ready > 0 {
			nodes = append(nodes, up.Ready)
		}
	}
	connect, _ := run.Histogram(results.Connect)
	podStartup := median(sc.Fleet.PodStartup.Sampler())
	nodeReady := scenarios.BatchIdle + median(sc.Nodes.ProvisionDelay.Sampler()) + median(sc.Nodes.BootTime.Sampler())
	return &results.Calibration{
		PodStart:  overhead(medianOf(st.startups), len(st.startups), podStartup, speedup),
		Allocate:  stageOverhead(st.claims, speedup),
		Join:      stageOverhead(connect, speedup),
		Reconnect: stageOverhead(st.handshakes, speedup),
		Rejoin:    stageOverhead(st.rejoins, speedup),
		NodeReady: overhead(medianOf(nodes), len(nodes), nodeReady, speedup),
	}
}

// overhead is a measured median less the configured one, at least 0.
func overhead(measured float64, n int, configured, speedup float64) results.Overhead {
	if n == 0 {
		return results.Overhead{}
	}
	s := math.Max(0, measured-configured)
	return results.Overhead{Seconds: s, Wall: s / speedup, Samples: n}
}

// overheadQuantiles is how many points of a stage's distribution the
// calibration records (every 5%).
const overheadQuantiles = 21

// stageOverhead is a whole stage the model does not have: its median and
// its distribution, which the model of the run draws from.
func stageOverhead(h *results.Histogram, speedup float64) results.Overhead {
	if h == nil || h.Count() == 0 {
		return results.Overhead{}
	}
	o := overhead(h.Metric().P50, int(h.Count()), 0, speedup)
	o.Quantiles = make([]float64, overheadQuantiles)
	for i := range o.Quantiles {
		o.Quantiles[i] = h.Quantile(float64(i) / (overheadQuantiles - 1))
	}
	return o
}

// medianOf a sample (0 when empty).
func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[n/2]
}

// median of a distribution, by bisection on its survival function.
func median(s dist.Sampler) float64 {
	lo, hi := 0.0, math.Max(1, 4*s.Mean())
	for s.Survival(hi) > 0.5 {
		hi *= 2
	}
	for range 60 {
		mid := (lo + hi) / 2
		if s.Survival(mid) > 0.5 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}
