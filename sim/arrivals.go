package sim

import (
	"math"

	"github.com/fleetbench/fleetbench/scenarios"
)

// arrivalGen produces player arrivals from the curve: a Poisson process
// by thinning against each piece's maximum rate, or evenly spaced
// (uniform) arrivals at the local rate.
type arrivalGen struct {
	curve   scenarios.Curve
	piece   int
	t       float64
	next    float64 // the pending arrival's time, +Inf if none
	poisson bool
}

func (a *arrivalGen) init(sc *scenarios.Scenario) {
	a.curve = sc.Curve()
	a.next = math.Inf(1)
	a.poisson = sc.Arrivals.Process != "uniform"
}

// schedule pushes the next arrival, if any remains before the end.
func (a *arrivalGen) schedule(m *model) {
	for a.piece < len(a.curve.Pieces) {
		p := &a.curve.Pieces[a.piece]
		if a.t < p.Start {
			a.t = p.Start
		}
		if p.Max <= 0 {
			a.piece++
			continue
		}
		if a.poisson {
			a.t += m.rArrivals.ExpFloat64() / p.Max
			if a.t >= p.End {
				// Memoryless: restarting at the boundary is exact.
				a.t = p.End
				a.piece++
				continue
			}
			if r := p.Rate(a.t); r < p.Max && m.rArrivals.Float64()*p.Max >= r {
				continue // thinned out
			}
		} else {
			r := p.Rate(a.t)
			if r <= 0 {
				// Step through a zero-rate stretch in small strides.
				a.t += (p.End - p.Start) / 1000
				if a.t >= p.End {
					a.piece++
				}
				continue
			}
			a.t += 1 / r
			if a.t >= p.End {
				a.t = p.End
				a.piece++
				continue
			}
		}
		a.next = a.t
		return
	}
}

func (a *arrivalGen) fire(m *model) {
	m.rec.arrival(m)
	m.mm.playerArrives(m, m.now)
	a.schedule(m)
}
