package results

import "time"

// IsDisruption reports whether a timeline kind disconnects players.
func IsDisruption(kind string) bool {
	switch kind {
	case "rollingDeploy", "nodeLoss", "crash", "redisRestart":
		return true
	}
	return false
}

// Storm is the reconnect storm after one disruption: the reconnects
// series from the event to the next disruption (or the run's end).
type Storm struct {
	Event      Event
	Peak       float64 // reconnects per second, the highest step
	Reconnects float64 // in all
	// Duration runs from the event to the end of the last step with a
	// reconnect; 0 when there was none.
	Duration time.Duration
}

// Storms finds the storm after each disruption of the run's timeline, and
// the reconnects before the first one (the background rate: client-side
// drops, not the fleet).
func Storms(r *Run) (storms []Storm, before float64) {
	step := r.Series.Step.Seconds()
	series := r.Series.Values[SeriesReconnects]
	if step <= 0 {
		return nil, 0
	}
	var events []Event
	var starts []int
	for _, ev := range r.Events {
		if at, err := time.ParseDuration(ev.At); err == nil && IsDisruption(ev.Kind) {
			events = append(events, ev)
			starts = append(starts, int(at.Seconds()/step))
		}
	}
	sum := func(from, to int) (total, peak float64, last int) {
		last = -1
		for i := max(from, 0); i < min(to, len(series)); i++ {
			total += series[i] * step
			if series[i] > peak {
				peak = series[i]
			}
			if series[i] > 0 {
				last = i
			}
		}
		return total, peak, last
	}
	end := len(series)
	if len(starts) == 0 {
		before, _, _ = sum(0, end)
		return nil, before
	}
	before, _, _ = sum(0, starts[0])
	for k, ev := range events {
		to := end
		if k+1 < len(starts) {
			to = starts[k+1]
		}
		total, peak, last := sum(starts[k], to)
		s := Storm{Event: ev, Peak: peak, Reconnects: total}
		if last >= 0 {
			at, _ := time.ParseDuration(ev.At)
			s.Duration = max(0, time.Duration(float64(last+1)*step*float64(time.Second))-at)
		}
		storms = append(storms, s)
	}
	return storms, before
}
