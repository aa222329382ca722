package sim

import (
	"bytes"
	"context"
	"encoding/json"
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

func TestSweepDoesNotDependOnWorkers(t *testing.T) {
	doc, err := scenarios.ShippedDocument("steady")
	if err != nil {
		t.Fatal(err)
	}
	axes := []Axis{{Path: "fleet.policy.minAvailable.count", From: 4, To: 16, Step: 6}}
	encode := func(workers int) []byte {
		res, err := Sweep(context.Background(), doc, ".", axes, 2, workers, Options{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if !bytes.Equal(encode(1), encode(3)) {
		t.Error("a sweep on 1 worker differs from one on 3")
	}
}
