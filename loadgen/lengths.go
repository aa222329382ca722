package loadgen

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// sessionLengths gives every match one session length, drawn from the
// scenario's session stream in the order matches are first seen, as the
// model draws one per match when it is allocated: the players of a match
// leave together and its room is freed then. Drawn per player, a room
// stayed in play until the last of its players left: with 10 players
// and a lognormal of sigma 0.3 that is ~1.5 times the median, and
// `make loadtest` held 40 rooms in play against the model's 26.
type sessionLengths struct {
	mu       sync.Mutex
	dist     scenarios.Sampler
	rng      *rand.Rand
	wall     func(time.Duration) time.Duration
	perMatch int
	byMatch  map[string]*matchLength
}

type matchLength struct {
	length time.Duration
	handed int
}

func newSessionLengths(sc *scenarios.Scenario, wall func(time.Duration) time.Duration) *sessionLengths {
	return &sessionLengths{dist: sc.Players.SessionLength.Sampler(), rng: rand.New(rand.NewPCG(sc.Seed, scenarios.SessionStream)),
		wall: wall, perMatch: sc.Players.PerMatch, byMatch: map[string]*matchLength{}}
}

// of returns match's session length in wall time. A match's entry goes
// once all its players have had it (a short-handed match's stays: it is
// one small entry).
func (l *sessionLengths) of(match string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.byMatch[match]
	if m == nil {
		m = &matchLength{length: l.wall(time.Duration(l.dist.Sample(l.rng) * float64(time.Second)))}
		l.byMatch[match] = m
	}
	if m.handed++; m.handed >= l.perMatch {
		delete(l.byMatch, match)
	}
	return m.length
}
