package sim_test

import (
	"context"
	"fmt"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// Run predicts a scenario: the same seed always gives the same run.
func ExampleRun() {
	sc, err := scenarios.LoadShipped("steady")
	if err != nil {
		panic(err)
	}
	run, err := sim.Run(context.Background(), sc, sim.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println("players:", run.Counters[results.Players])
	fmt.Println("allocation failures:", run.Counters[results.AllocationFailures])
	for _, v := range run.Verdicts {
		fmt.Printf("%s pass=%v\n", v.SLO, v.Pass)
	}
	// Output:
	// players: 14343
	// allocation failures: 0
	// timeToRoom.p50 pass=true
	// timeToRoom.p99 pass=true
	// allocationFailures.max pass=true
	// stateRecovery.min pass=true
}
