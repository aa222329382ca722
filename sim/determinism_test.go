package sim

import (
	"bytes"
	"testing"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

func TestSameSeedSameBytes(t *testing.T) {
	sc, err := scenarios.LoadShipped("node-loss")
	if err != nil {
		t.Fatal(err)
	}
	encode := func(seed uint64) []byte {
		c := *sc
		c.Seed = seed
		run, err := Run(t.Context(), &c, Options{Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		data, err := results.Marshal(run)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a, b := encode(5), encode(5)
	if !bytes.Equal(a, b) {
		t.Error("two runs with one seed differ")
	}
	if bytes.Equal(a, encode(6)) {
		t.Error("runs with different seeds are identical")
	}
}
