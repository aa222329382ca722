package sim

import (
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// emptyPool: 11 Ready nodes, one holding the fleet's 7 rooms (packed), ten
// empty from 0 and candidates at 60 s (scaleDownAfter). Karpenter's
// controller passes on its 10 s grid, half a period off the start (at 65
// s), validates for 15 s and deletes (at 80 s); the pass that follows at
// once finds the budget used by the nodes still terminating, so the next
// comes 10 s later: budget k removes k nodes every 25 s from 80 s.
func emptyPool(t *testing.T, budget string, duration time.Duration) *scenarios.Scenario {
	return world(t, func(sc *scenarios.Scenario) {
		sc.Duration = scenarios.D(duration)
		sc.Arrivals.Segments = []scenarios.Segment{{Constant: &scenarios.Rate{Rate: 0}}}
		count := 7
		sc.Fleet.Policy = scenarios.Policy{MinAvailable: &scenarios.MinAvailable{Count: &count}}
		sc.Nodes.PodsPerNode, sc.Nodes.Initial, sc.Nodes.Min = 7, 11, 1
		sc.Nodes.ScaleDownAfter = scenarios.D(time.Minute)
		b, err := policy.ParseIntOrPercent(budget)
		if err != nil {
			t.Fatal(err)
		}
		sc.Nodes.ConsolidationBudget = scenarios.IntOrPercent{IntOrPercent: b}
	})
}

func TestConsolidationGoesInBudgetedPasses(t *testing.T) {
	for _, c := range []struct {
		budget   string
		duration time.Duration
		removed  int64
	}{
		{"10%", 79 * time.Second, 0},  // picked at 65, still validating
		{"10%", 104 * time.Second, 1}, // ceil(10% of 10) = 1 at 80
		{"10%", 106 * time.Second, 2}, // and 1 at 105
		{"10%", 306 * time.Second, 10},
		{"3", 106 * time.Second, 6}, // 3 at 80, 3 at 105
		{"100%", 81 * time.Second, 10},
		{"0", time.Hour, 0},
	} {
		_, r := simulate(t, emptyPool(t, c.budget, c.duration))
		if got := r.Counters[results.NodesRemoved]; got != c.removed {
			t.Errorf("budget %s after %s: %d nodes removed, want %d", c.budget, c.duration, got, c.removed)
		}
	}
}

// The model of a real run sees Karpenter's wall-clock periods stretched by
// the speedup: at 2× it passes every 20 s (at 70 s) and validates for 30 s,
// so nodes go at 100 s and 150 s.
func TestConsolidationPeriodsAreWallClockInTheModelOfARun(t *testing.T) {
	for _, c := range []struct {
		duration time.Duration
		removed  int64
	}{{99 * time.Second, 0}, {101 * time.Second, 1}, {149 * time.Second, 1}, {151 * time.Second, 2}} {
		sc := emptyPool(t, "10%", c.duration)
		sc.Speedup = 2
		r, err := Run(t.Context(), sc, Options{Overheads: &results.Calibration{}})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Counters[results.NodesRemoved]; got != c.removed {
			t.Errorf("at speedup 2 after %s: %d nodes removed, want %d", c.duration, got, c.removed)
		}
	}
}

// A candidate that gets a room while it is validated is kept: players
// arriving from 65 s take a room, the fleet makes new ones, and packing
// puts them all on one empty node (the fullest with space) of the ten the
// pass at 65 s picked; validation at 80 s removes the other nine.
func TestConsolidationValidationKeepsANodeThatGotARoom(t *testing.T) {
	sc := emptyPool(t, "100%", 85*time.Second)
	quiet, busy := scenarios.D(65*time.Second), scenarios.D(5*time.Second)
	sc.Arrivals.Segments = []scenarios.Segment{
		{For: &quiet, Constant: &scenarios.Rate{Rate: 0}},
		{For: &busy, Constant: &scenarios.Rate{Rate: 4}},
		{Constant: &scenarios.Rate{Rate: 0}},
	}
	sc.Fleet.SyncInterval = scenarios.D(5 * time.Second) // replaces a taken room by 70 s
	m, r := simulate(t, sc)
	if r.Counters[results.Allocations] == 0 {
		t.Fatal("no room was allocated from 65 s: the test needs one")
	}
	if got := r.Counters[results.NodesRemoved]; got != 9 {
		t.Errorf("%d removed, want 9: the node that got rooms stays", got)
	}
	if m.nodes.count != 2 {
		t.Errorf("%d nodes at the end, want 2 (the fleet's and the one that got rooms)", m.nodes.count)
	}
}
