package sim

import (
	"testing"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// OpenKruiseGame as deployed: the rule asks for 50 more rooms than a
// fleet of 600 has, and KEDA's HPA, inside its 10% tolerance, adds none;
// with tolerance 0 it adds them on the next poll.
func TestHPADeadbandHoldsASmallAsk(t *testing.T) {
	for _, c := range []struct {
		tolerance string
		want      float64
	}{{"0.1", 600}, {"0", 650}} {
		sc, err := scenarios.LoadWith("testdata/quiet.yaml", []scenarios.Override{
			{Path: "duration", Value: "2h"},
			{Path: "fleet.policy", Value: "{minAvailable: {count: 600}, schedule: [{at: 1h, count: 650}]}"},
			{Path: "fleet.hpa", Value: "{tolerance: " + c.tolerance + "}"},
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := Run(t.Context(), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ready := r.Series.Values[results.SeriesReadyBuffer]
		if got := ready[len(ready)-1]; got != c.want {
			t.Errorf("tolerance %s: %g rooms at the end, want %g", c.tolerance, got, c.want)
		}
		if got := ready[len(ready)/2-2]; got != 600 {
			t.Errorf("tolerance %s: %g rooms before the step, want 600 (the fleet starts at the rule's size)", c.tolerance, got)
		}
	}
}
