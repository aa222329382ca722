package sim

import (
	"testing"

	"github.com/fleetbench/fleetbench/conformance"
	"github.com/fleetbench/fleetbench/scenarios"
)

// TestCounterIdentities: the results contract's identities hold in the
// model of every shipped and known-answer scenario.
func TestCounterIdentities(t *testing.T) {
	var all []*scenarios.Scenario
	for _, name := range scenarios.Shipped() {
		sc, err := scenarios.LoadShipped(name)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, sc)
	}
	for _, c := range conformance.Cases() {
		sc, err := conformance.Load(c.Name)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, sc)
	}
	for _, sc := range all {
		run, err := Run(t.Context(), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := run.Identities(); err != nil {
			t.Errorf("%s: %v", sc.Name, err)
		}
	}
}
