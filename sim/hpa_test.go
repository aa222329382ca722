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

// OpenKruiseGame as deployed keeps recycled rooms: kruise-game's scaler
// subtracts WaitToBeDeleted pods only at a sync that finds at least
// minAvailable rooms None, and one match every 5 s takes a room between
// every two 15 s syncs, so the scaler asks for the missing rooms every
// time and the recycled ones are never removed. Rooms then grow at the
// match rate: 0.2 rooms/s over an hour is ∫0.2t dt = 360 server-hours.
// With one match every 40 s most syncs find minAvailable None and the
// recycled rooms go at once: a few server-hours.
func TestKEDAKeepsRecycledRoomsWhileTheScalerAsks(t *testing.T) {
	for _, c := range []struct {
		rate     string
		lo, high float64
	}{{"0.4", 340, 380}, {"0.05", 0, 10}} {
		sc, err := scenarios.LoadWith("testdata/okg-leak.yaml", []scenarios.Override{{Path: "arrivals.segments", Value: "[{constant: {rate: " + c.rate + "}}]"}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := Run(t.Context(), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if h := r.Cost.ServerSeconds / 3600; h < c.lo || h > c.high {
			t.Errorf("%s players/s: %.1f server-hours, want between %g and %g", c.rate, h, c.lo, c.high)
		}
	}
}

// Under fleet.controller okg without fleet.hpa the model puts the HPA the
// emitted manifests configure in front of the fleet (tolerance 0, no
// windows): the step of 50 rooms is taken, as with fleet.hpa tolerance 0
// and not as under the default tolerance, and with fleet.hpa the
// scenario's HPA is the one modelled.
func TestOKGModelsTheEmittedHPA(t *testing.T) {
	end := func(over ...scenarios.Override) float64 {
		t.Helper()
		sc, err := scenarios.LoadWith("testdata/quiet.yaml", append([]scenarios.Override{
			{Path: "duration", Value: "2h"},
			{Path: "fleet.policy", Value: "{minAvailable: {count: 600}, schedule: [{at: 1h, count: 650}]}"},
			{Path: "fleet.controller", Value: "okg"},
		}, over...))
		if err != nil {
			t.Fatal(err)
		}
		if sc.Fleet.Tick() != scenarios.DefaultHPASync {
			t.Errorf("okg ticks every %s, want the HPA's sync", sc.Fleet.Tick())
		}
		r, err := Run(t.Context(), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ready := r.Series.Values[results.SeriesReadyBuffer]
		return ready[len(ready)-1]
	}
	if got := end(); got != 650 {
		t.Errorf("okg, emitted HPA: %g rooms at the end, want 650", got)
	}
	if got := end(scenarios.Override{Path: "fleet.hpa", Value: "{tolerance: 0.1}"}); got != 600 {
		t.Errorf("okg, fleet.hpa tolerance 0.1: %g rooms at the end, want 600", got)
	}
}
