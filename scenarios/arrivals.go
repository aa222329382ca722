package scenarios

import (
	"math"
	"math/rand/v2"
)

// ArrivalTimes yields a scenario's player arrival times, in seconds from
// the start: a Poisson process by thinning against each piece's maximum
// rate, or evenly spaced (uniform) arrivals at the local rate.
type ArrivalTimes struct {
	curve   Curve
	piece   int
	t       float64
	poisson bool
	r       *rand.Rand
}

// ArrivalTimes starts the arrival process, drawing from r (for the
// model's arrivals: rand.New(rand.NewPCG(s.Seed, ArrivalStream))).
func (s *Scenario) ArrivalTimes(r *rand.Rand) *ArrivalTimes {
	return &ArrivalTimes{curve: s.Curve(), poisson: s.Arrivals.Process != UniformArrivals, r: r}
}

// Next returns the next arrival time, or +Inf when none remains.
func (a *ArrivalTimes) Next() float64 {
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
			a.t += a.r.ExpFloat64() / p.Max
			if a.t >= p.End {
				// Memoryless: restarting at the boundary is exact.
				a.t = p.End
				a.piece++
				continue
			}
			if r := p.Rate(a.t); r < p.Max && a.r.Float64()*p.Max >= r {
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
		return a.t
	}
	return math.Inf(1)
}
