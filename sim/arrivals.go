package sim

import (
	"math"
	"math/rand/v2"

	"github.com/fleetbench/fleetbench/scenarios"
)

// arrivalGen holds the pending arrival outside the event heap.
type arrivalGen struct {
	times *scenarios.ArrivalTimes
	next  float64 // the pending arrival's time, +Inf if none
}

func (a *arrivalGen) init(sc *scenarios.Scenario, r *rand.Rand) {
	a.times = sc.ArrivalTimes(r)
	a.next = math.Inf(1)
}

// schedule takes the next arrival, if any remains.
func (a *arrivalGen) schedule(*model) {
	a.next = a.times.Next()
}

func (a *arrivalGen) fire(m *model) {
	m.rec.arrival(m)
	m.mm.playerArrives(m, m.now)
	a.schedule(m)
}
