package loadgen

import (
	"time"

	"github.com/fleetbench/fleetbench/results"
)

// clock converts the run's wall time into scenario time. A run at
// speedup k plays each scenario second in 1/k wall seconds (the cluster's
// boot and startup delays are scaled alike), so measured.json reports
// scenario seconds: it reads beside the model's run and is judged against
// the same SLOs. Latency that does not scale (HTTP, WebSocket, the API
// server) is magnified k times; the report says so.
type clock struct {
	start   time.Time
	speedup float64
}

// newClock is the run's clock; speedup is the scenario's, validated > 0.
func newClock(start time.Time, speedup float64) clock {
	return clock{start: start, speedup: speedup}
}

// at is t in scenario seconds since the start.
func (c clock) at(t time.Time) float64 { return c.secs(t.Sub(c.start)) }

// secs is a wall duration in scenario seconds.
func (c clock) secs(d time.Duration) float64 { return d.Seconds() * c.speedup }

// wall is a scenario duration in wall time.
func (c clock) wall(d time.Duration) time.Duration { return time.Duration(float64(d) / c.speedup) }

// stamp is t as a scenario-time offset (events' "at"), to the
// millisecond as the model stamps its events.
func (c clock) stamp(t time.Time) results.Offset { return results.OffsetSeconds(c.at(t)) }
