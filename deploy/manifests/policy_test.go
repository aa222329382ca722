package manifests

import (
	"flag"
	"testing"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/settings"
)

// TestFleetdRunsTheModelsPolicy: a scenario's buffer policy, carried to
// fleetd as flags and read back there, is the rule the model runs — the
// same desired count for every status.
func TestFleetdRunsTheModelsPolicy(t *testing.T) {
	for _, p := range []string{
		"{minAvailable: {count: 7, max: 40}}",
		"{minAvailable: {fraction: 0.25}, countWaiting: true}",
		"{buffer: {size: 5, min: 2, max: 30}}",
		"{buffer: {percent: 20, min: 1}, countWaiting: true}",
	} {
		doc, err := scenarios.ShippedDocument("steady")
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenarios.ParseWith(doc, ".", []scenarios.Override{{Path: "fleet.policy", Value: p}})
		if err != nil {
			t.Fatal(err)
		}
		s, err := SettingsFor(sc)
		if err != nil {
			t.Fatal(err)
		}
		got := settings.DefaultFleetd()
		fs := flag.NewFlagSet("fleetd", flag.ContinueOnError)
		got.Register(fs)
		if err := fs.Parse(s.Fleetd.Args()); err != nil {
			t.Fatal(err)
		}
		model, fleetd := sc.Fleet.Policy.Spec().Buffer(), got.Spec().Buffer()
		for live := range 50 {
			for none := 0; none <= live; none += 3 {
				st := policy.FleetStatus{Live: live, None: none, Allocated: live - none, WaitingRequests: live % 4}
				if a, b := model.Desired(st), fleetd.Desired(st); a != b {
					t.Fatalf("%s at %+v: the model wants %d, fleetd %d", p, st, a, b)
				}
			}
		}
	}
}
