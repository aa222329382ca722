package sim

import (
	"testing"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// Every shipped scenario runs, and its run keeps the books straight.
func TestShippedScenariosRun(t *testing.T) {
	for _, name := range scenarios.Shipped() {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.LoadShipped(name)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Run(t.Context(), sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			c := r.Counters
			if c[results.Players] == 0 || c[results.Allocations] == 0 {
				t.Fatalf("nothing happened: %v", c)
			}
			if c[results.Matches] > c[results.Players] || c[results.Allocations] > c[results.Matches] {
				t.Errorf("more matches than players or allocations than matches: %v", c)
			}
			if got := c[results.RecoveriesOK] + c[results.RecoveriesFailed]; got > c[results.Disconnects] {
				t.Errorf("%d recoveries for %d disconnects", got, c[results.Disconnects])
			}
			if c[results.RecoveriesOK] != c[results.Reconnects] || int64(r.Metrics[results.ReconnectLatency].Count) != c[results.Reconnects] {
				t.Errorf("reconnects %d, recoveries %d, latency samples %d disagree", c[results.Reconnects], c[results.RecoveriesOK], r.Metrics[results.ReconnectLatency].Count)
			}
			if ttr := r.Metrics[results.TimeToRoom]; ttr.Count < c[results.Allocations] || ttr.Count > c[results.Players] {
				t.Errorf("time_to_room has %d samples for %d allocations of %d players", ttr.Count, c[results.Allocations], c[results.Players])
			}
			want := int(sc.Duration.Duration / r.Series.Step)
			for n, vals := range r.Series.Values {
				if len(vals) != want || len(vals) > results.MaxPoints {
					t.Errorf("series %s has %d points, want %d", n, len(vals), want)
				}
			}
			if len(r.Verdicts) == 0 || len(r.Events) != len(sc.Timeline) {
				t.Errorf("verdicts %d, events %d for %d timeline entries", len(r.Verdicts), len(r.Events), len(sc.Timeline))
			}
			if r.Cost.ServerSeconds <= r.Cost.IdleServerSeconds {
				t.Errorf("cost %+v: idle exceeds total", r.Cost)
			}
		})
	}
}
