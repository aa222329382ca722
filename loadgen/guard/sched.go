package guard

import (
	"math"
	"runtime/metrics"
)

// schedMetric is the time goroutines spent runnable before they ran.
const schedMetric = "/sched/latencies:seconds"

// schedLatencies reads the Go scheduler's latency histogram (cumulative
// since the process started); nil where the runtime does not have it.
func schedLatencies() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: schedMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

// schedP99 is the 99th percentile of the latencies recorded between two
// readings of the histogram (the upper bound of its bucket; 0 when none
// were recorded or the metric is missing).
func schedP99(from, to *metrics.Float64Histogram) float64 {
	if to == nil {
		return 0
	}
	counts := make([]uint64, len(to.Counts))
	var total uint64
	for i, c := range to.Counts {
		if from != nil && i < len(from.Counts) {
			c -= from.Counts[i]
		}
		counts[i] = c
		total += c
	}
	if total == 0 {
		return 0
	}
	want := uint64(math.Ceil(0.99 * float64(total)))
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= want {
			upper := to.Buckets[i+1]
			if math.IsInf(upper, 1) {
				return to.Buckets[i]
			}
			return upper
		}
	}
	return 0
}
