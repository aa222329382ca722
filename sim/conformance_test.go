package sim

import (
	"testing"

	"github.com/fleetbench/fleetbench/scenarios/conformance"
)

// TestConformanceAnswers: the model gives every known answer exactly.
func TestConformanceAnswers(t *testing.T) {
	for _, c := range conformance.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			sc, err := conformance.Load(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			run, err := Run(sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range c.Answers {
				if err := a.Check(run, true); err != nil {
					t.Error(err)
				}
			}
			for name, want := range c.Counters {
				if got := run.Counters[name]; got != want {
					t.Errorf("%s = %d, want %d", name, got, want)
				}
			}
		})
	}
}
