package reports

import (
	"fmt"
	"io"

	"github.com/fleetbench/fleetbench/results"
)

// Summary writes a short text table of a run: latencies, counters, cost
// and SLO verdicts. Its text comes from the run and is printed through
// Printable: a terminal gets no control character from a file.
func Summary(w io.Writer, r *results.Run) {
	meta := r.Meta
	fmt.Fprintf(w, "%s (%s, seed %d, %s simulated)\n", Printable(meta.Scenario), Printable(meta.Source), meta.Seed, Printable(meta.Simulated))
	if meta.NotMeasured != "" {
		fmt.Fprintf(w, "not measured on this cluster: %s\n", Printable(meta.NotMeasured))
	}
	if meta.Incomplete != "" {
		fmt.Fprintf(w, "INCOMPLETE: %s\n", Printable(meta.Incomplete))
	}
	fmt.Fprintf(w, "%-18s %9s %8s %8s %8s %8s\n", "metric (s)", "count", "p50", "p90", "p99", "max")
	for _, name := range []string{results.TimeToRoom, results.MatchWait, results.AllocWait, results.ReconnectLatency, results.AutoscaleLag} {
		if m, ok := r.Metrics[name]; ok {
			fmt.Fprintf(w, "%-18s %9d %8.3f %8.3f %8.3f %8.3f\n", name, m.Count, m.P50, m.P90, m.P99, m.Max)
		}
	}
	// Validate holds counters to 2⁵³, so these sums cannot wrap.
	c := r.Counters
	fmt.Fprintf(w, "players %d, matches %d, allocations %d (waited %d, failed %d), disconnects %d, recovered %d/%d, nodes +%d −%d\n",
		c[results.Players], c[results.Matches], c[results.Allocations], c[results.AllocationWaits], c[results.AllocationFailures],
		c[results.Disconnects], c[results.RecoveriesOK], c[results.RecoveriesOK]+c[results.RecoveriesFailed], c[results.NodesAdded], c[results.NodesRemoved])
	fmt.Fprintf(w, "cost: %.1f node-hours, %.1f server-hours (%.1f idle)", r.Cost.NodeSeconds/3600, r.Cost.ServerSeconds/3600, r.Cost.IdleServerSeconds/3600)
	if r.Cost.Money > 0 {
		fmt.Fprintf(w, ", %.2f", r.Cost.Money)
	}
	fmt.Fprintln(w)
	for _, v := range r.Verdicts {
		verdict := "pass"
		if !v.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "  SLO %-24s %10.4g  limit %-8.4g %s\n", Printable(v.SLO), v.Value, v.Limit, verdict)
	}
}
