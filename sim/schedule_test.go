package sim

import (
	"testing"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// A schedule changes the buffer at its steps: with no players the ready
// buffer is the count in force, at once when the controller acts on every
// event and at the next tick otherwise.
func TestScheduleSetsTheBufferStepByStep(t *testing.T) {
	for _, c := range []struct {
		sync string
		lag  float64 // minutes until the count shows: the next tick
	}{{"0s", 0}, {"10m", 5}} {
		sc, err := scenarios.LoadWith("testdata/quiet.yaml", []scenarios.Override{
			{Path: "fleet.policy.schedule", Value: "[{at: 65m, count: 20}, {at: 125m, count: 2}]"},
			{Path: "fleet.syncInterval", Value: c.sync},
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := Run(t.Context(), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ready := r.Series.Values[results.SeriesReadyBuffer]
		at := func(minute float64) float64 { // the gauge at the end of the step holding minute
			return ready[int(minute*60/r.Series.Step.Seconds())]
		}
		for _, want := range []struct {
			minute float64
			count  int
		}{{30, 5}, {64, 5}, {65.5 + c.lag, 20}, {124, 20}, {125.5 + c.lag, 2}, {179, 2}} {
			if got := at(want.minute); got != float64(want.count) {
				t.Errorf("sync %s: ready buffer at minute %g = %g, want %d", c.sync, want.minute, got, want.count)
			}
		}
		if c.lag > 0 && at(68) != 5 {
			t.Errorf("sync %s: the new count showed before the controller's tick (%g at minute 68)", c.sync, at(68))
		}
	}
}
