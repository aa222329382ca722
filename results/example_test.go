package results_test

import (
	"fmt"

	"github.com/fleetbench/fleetbench/results"
)

// A run's latencies are HdrHistograms: record seconds, read percentiles,
// write the run, and read it back validated. Three significant digits:
// 9.5 s is kept as 9.503 s, the top of its bucket.
func Example() {
	h := results.NewHistogram()
	for _, s := range []float64{0.5, 0.8, 1.2, 2.0, 9.5} {
		h.Record(s)
	}
	run := &results.Run{Meta: results.Meta{Scenario: "demo", Source: results.SourceModel},
		Histograms: map[string]*results.Histogram{results.TimeToRoom: h}, Counters: map[string]int64{results.Players: 5}}
	run.Summarize()
	data, err := results.Marshal(run)
	if err != nil {
		panic(err)
	}
	back, err := results.Unmarshal(data)
	if err != nil {
		panic(err)
	}
	m := back.Metrics[results.TimeToRoom]
	fmt.Printf("count %d, p50 %.3f s, max %.3f s\n", m.Count, m.P50, m.Max)
	// Output: count 5, p50 1.200 s, max 9.503 s
}
