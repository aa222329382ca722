package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/fleetbench/fleetbench/scenarios"
)

func TestAnalyticSyncCap(t *testing.T) {
	five := 5
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Arrivals.Segments = []scenarios.Segment{{Constant: &scenarios.Rate{Rate: 10}}}
		sc.Fleet.Policy = scenarios.Policy{MinAvailable: &scenarios.MinAvailable{Count: &five}}
	})
	a := analytic(sc)
	// 10 players/s in matches of 10 = 1 allocation/s; a 30 s sync.
	if a.SyncCap != 30 || a.Min < 30 || a.MinWithNode < a.Min {
		t.Errorf("analytic = %+v: want SyncCap 30 and minimums at least that", a)
	}
	sc.Fleet.Policy.CountWaiting = true
	if a := analytic(sc); a.SyncCap != 0 {
		t.Errorf("demand-aware policy: SyncCap = %d, want none (waiting requests raise the target)", a.SyncCap)
	}
}

func TestAnalyticIsConservativeAgainstTheModel(t *testing.T) {
	// Event-driven buffer, unlimited nodes: the analytic minimum must
	// meet the SLO in the model (it is a bound, not an estimate).
	doc := []byte(`apiVersion: fleetbench/v1alpha1
kind: Scenario
name: bound
duration: 2h
arrivals: {segments: [{constant: {rate: 2}}]}
players: {perMatch: 2, sessionLength: {exponential: {mean: 2m}}, allocation: {onNoServer: wait, timeout: 60s}}
fleet: {policy: {buffer: {size: 1}}, syncInterval: 0s, podStartup: {exponential: {mean: 6s}}}
nodes: {podsPerNode: 0}
slo: {timeToRoom: {p99: 6s}, allocationFailures: {max: 0.01}}
`)
	rep, err := Check(context.Background(), doc, ".", 3, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Analytic.Min < 0 || !rep.Verified.Found {
		t.Fatalf("check = %+v", rep)
	}
	if rep.Analytic.Min < rep.Verified.Min {
		t.Errorf("analytic minimum %d is below the DES-verified %d: the bound is not conservative", rep.Analytic.Min, rep.Verified.Min)
	}
	if rep.Analytic.Min > 2*rep.Verified.Min+2 {
		t.Errorf("analytic minimum %d is far above the DES-verified %d: the bound is too loose to be useful", rep.Analytic.Min, rep.Verified.Min)
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
