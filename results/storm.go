package results

import (
	"math"
	"slices"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// IsDisruption reports whether a timeline kind disconnects players:
// every kind a scenario's timeline has does.
func IsDisruption(kind string) bool { return slices.Contains(scenarios.Kinds, kind) }

// Storm is the reconnect storm after one disruption: the reconnects above
// the rate before it, from the event until the rate is back within noise
// of that rate. Both engines' runs are measured alike.
type Storm struct {
	Event Event
	// Baseline is the reconnect rate (per second) over the baseline
	// window before the event: client-side drops, not the disruption.
	Baseline float64
	Peak     float64 // reconnects per second, the highest step of the storm
	// Reconnects are the storm's excess over the baseline, in all.
	Reconnects float64
	// Duration runs from the event to the end of the storm's last step
	// above the noise; 0 when no step rose above it.
	Duration time.Duration
}

// Baseline window and the end of a storm.
const (
	baselineWindow = 30 * time.Minute
	// quietFor is how long the rate must stay within noise of the
	// baseline for a storm to be over (at least quietSteps steps).
	quietFor   = time.Minute
	quietSteps = 3
	// noiseSigmas is how far above the baseline a step's count may be by
	// chance: Poisson counts, so sqrt(mean) per step.
	noiseSigmas = 3
)

// Storms finds the storm after each disruption of the run's timeline, and
// the reconnects before the first one (the background: client-side drops).
func Storms(r *Run) (storms []Storm, before float64) {
	step := r.Series.Step.Seconds()
	series := r.Series.Values[SeriesReconnects]
	if step <= 0 {
		return nil, 0
	}
	var events []Event
	var starts []int
	for _, ev := range r.Events {
		if IsDisruption(ev.Kind) {
			events = append(events, ev)
			starts = append(starts, int(ev.At.Seconds()/step))
		}
	}
	first := len(series)
	if len(starts) > 0 {
		first = min(starts[0], len(series))
	}
	for _, v := range series[:max(first, 0)] {
		before += v * step
	}
	windowSteps := max(1, int(baselineWindow.Seconds()/step))
	quiet := max(quietSteps, int(math.Ceil(quietFor.Seconds()/step)))
	stormEnd := 0 // the previous storm's end: not part of the next baseline
	for k, ev := range events {
		start, to := starts[k], len(series)
		if k+1 < len(starts) {
			to = min(starts[k+1], to)
		}
		s := Storm{Event: ev, Baseline: meanRate(series, max(stormEnd, start-windowSteps), start)}
		limit := s.Baseline + noiseSigmas*math.Sqrt(s.Baseline/step)
		last, calm := -1, 0
		for i := max(start, 0); i < to && calm < quiet; i++ {
			if series[i] > limit {
				last, calm = i, 0
			} else {
				calm++
			}
		}
		for i := max(start, 0); i <= last; i++ {
			s.Reconnects += (series[i] - s.Baseline) * step
			s.Peak = math.Max(s.Peak, series[i])
		}
		s.Reconnects = math.Max(0, math.Round(s.Reconnects*1e6)/1e6)
		if last >= 0 {
			s.Duration = max(0, time.Duration(float64(last+1)*step*float64(time.Second))-ev.At.Duration())
			stormEnd = last + 1
		}
		storms = append(storms, s)
	}
	return storms, before
}

// meanRate is the mean of series[from:to] (0 when empty).
func meanRate(series []float64, from, to int) float64 {
	from, to = max(from, 0), min(to, len(series))
	if to <= from {
		return 0
	}
	sum := 0.0
	for _, v := range series[from:to] {
		sum += v
	}
	return sum / float64(to-from)
}
