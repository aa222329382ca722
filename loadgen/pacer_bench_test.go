package loadgen

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"
)

// BenchmarkPacerRate: a 2,000 arrivals/s Poisson schedule for 5 s on the
// real clock: the achieved rate's error against the schedule's own
// (arrivals / span of intended times) and the p99 lateness.
func BenchmarkPacerRate(b *testing.B) {
	sc := scenario(&testing.T{}, "poisson", 2000, "5s", 1)
	var late []time.Duration
	var first, last time.Time
	var lastIntended time.Duration
	start := time.Now()
	n := Pace(context.Background(), NewScenarioPacer(sc), start, func(a Arrival) {
		now := time.Now()
		if a.Index == 0 {
			first = now
		}
		last, lastIntended = now, a.Intended.Sub(start)
		late = append(late, a.Late)
	})
	firstDue, _ := NewScenarioPacer(sc).Due(0)
	want := float64(n-1) / (lastIntended - firstDue).Seconds()
	got := float64(n-1) / last.Sub(first).Seconds()
	slices.Sort(late)
	b.ReportMetric(math.Abs(got-want)/want*100, "rate-error-%")
	b.ReportMetric(got, "arrivals/s")
	b.ReportMetric(float64(late[len(late)*99/100].Microseconds())/1000, "p99-late-ms")
}
