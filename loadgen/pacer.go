// Package loadgen is the real run: it replays a scenario's players against
// the stack on a cluster and measures what they see.
package loadgen

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// Pacer has vegeta's Pacer shape — how long to wait given the time since
// the start and the arrivals so far — plus Due, the intended time of an
// arrival, which time-to-room counts from (a late start is the
// generator's delay, and the player's). It is written here rather than
// imported because the schedule is the scenario's stochastic arrival
// process (the model's own, same seed), which none of vegeta's rate
// pacers produce, and vegeta's lib brings its whole HTTP attacker.
type Pacer interface {
	Pace(elapsed time.Duration, hits uint64) (wait time.Duration, stop bool)
	Due(hits uint64) (time.Duration, bool)
}

// ScenarioPacer paces a scenario's arrivals on the wall clock, compressed
// by its speedup: arrival i is due at ArrivalTimes[i] / speedup. Calls
// must ask for arrivals in order (hits 0, 1, 2, …), as Run does.
type ScenarioPacer struct {
	times   *scenarios.ArrivalTimes
	speedup float64
	end     float64 // scenario seconds
	drawn   uint64  // arrivals drawn so far; the last one is due at cur
	cur     time.Duration
	done    bool
}

// NewScenarioPacer draws the arrivals the model draws for sc.
func NewScenarioPacer(sc *scenarios.Scenario) *ScenarioPacer {
	speedup := sc.Speedup // validated > 0
	return &ScenarioPacer{
		times:   sc.ArrivalTimes(rand.New(rand.NewPCG(sc.Seed, scenarios.ArrivalStream))),
		speedup: speedup,
		end:     sc.Duration.Seconds(),
	}
}

// Due implements Pacer.
func (p *ScenarioPacer) Due(hits uint64) (time.Duration, bool) {
	for !p.done && p.drawn <= hits {
		t := p.times.Next()
		if math.IsInf(t, 1) || t > p.end {
			p.done = true
			break
		}
		p.cur = time.Duration(t / p.speedup * float64(time.Second))
		p.drawn++
	}
	return p.cur, p.drawn > hits
}

// Pace implements Pacer.
func (p *ScenarioPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	due, ok := p.Due(hits)
	if !ok {
		return 0, true
	}
	return max(0, due-elapsed), false
}

// Arrival is one player's arrival.
type Arrival struct {
	Index    uint64
	Intended time.Time     // the schedule's time: time-to-room counts from here
	Late     time.Duration // how far behind the schedule it fired
}

// Pace calls fire for every arrival at its intended time: an open model,
// in which a slow player never delays the next arrival, so fire must
// not block. It returns the arrivals fired when the schedule ends or ctx
// is done.
func Pace(ctx context.Context, p Pacer, start time.Time, fire func(Arrival)) uint64 {
	var hits uint64
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for ; ; hits++ {
		wait, stop := p.Pace(time.Since(start), hits)
		if stop {
			return hits
		}
		if wait > 0 {
			t.Reset(wait) // safe since Go 1.23: no stale tick is delivered
			select {
			case <-ctx.Done():
				return hits
			case <-t.C:
			}
		} else if ctx.Err() != nil {
			return hits
		}
		due, _ := p.Due(hits)
		intended := start.Add(due)
		fire(Arrival{Index: hits, Intended: intended, Late: max(0, time.Since(intended))})
	}
}
