package loadgen

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/internal/dist"
	"github.com/fleetbench/fleetbench/scenarios"
)

// sessionLengths gives every match one session length: the k-th draw of
// the scenario's session stream for the matchmaker's k-th match, as the
// model draws one per match in the order matches form. The players of a
// match leave together and its room is freed then. (Drawn per player, a
// room stayed in play until the last of its players left: with 10 players
// and a lognormal of sigma 0.3 that is ~1.5 times the median.) Indexed by
// the match's sequence number rather than by the order a player first
// sees it, every worker of a distributed run gives a match the same
// length as an in-process run would, whichever of its players it holds.
type sessionLengths struct {
	mu    sync.Mutex
	dist  dist.Sampler
	rng   *rand.Rand
	wall  func(time.Duration) time.Duration
	drawn []time.Duration // drawn[k-1]: match k's length, in scenario time
	// unnumbered serves a match ID without a sequence number (a
	// matchmaker other than fleetbench's): first seen, next draw.
	unnumbered map[string]time.Duration
}

func newSessionLengths(sc *scenarios.Scenario, wall func(time.Duration) time.Duration) *sessionLengths {
	return &sessionLengths{dist: sc.Players.SessionLength.Sampler(), rng: rand.New(rand.NewPCG(sc.Seed, scenarios.SessionStream)),
		wall: wall, unnumbered: map[string]time.Duration{}}
}

// matchSeq is k of a match ID "m<k>-<suffix>" (0: none).
func matchSeq(match string) uint64 {
	s, ok := strings.CutPrefix(match, "m")
	if !ok {
		return 0
	}
	s, _, _ = strings.Cut(s, "-")
	k, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0
	}
	return k
}

// maxDrawAhead bounds the draws made for one unseen sequence number: a
// match numbered absurdly far ahead must not allocate the sequence up to it.
const maxDrawAhead = 1 << 20

// of returns match's session length in wall time.
func (l *sessionLengths) of(match string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := matchSeq(match)
	if k == 0 || k > uint64(len(l.drawn))+maxDrawAhead {
		d, ok := l.unnumbered[match]
		if !ok {
			d = l.draw()
			l.unnumbered[match] = d
		}
		return l.wall(d)
	}
	for uint64(len(l.drawn)) < k {
		l.drawn = append(l.drawn, l.draw())
	}
	return l.wall(l.drawn[k-1])
}

func (l *sessionLengths) draw() time.Duration {
	return time.Duration(l.dist.Sample(l.rng) * float64(time.Second))
}
