package fleet

import (
	"time"

	"github.com/fleetbench/fleetbench/policy"
)

// drained are the matches a draining rollout took out of their rooms and
// that have no new room yet, each until when it counts (match → until).
//
// Why: the buffer policy sizes the fleet from the rooms in play, and a
// drained room leaves that count at once while its players are still
// coming back (after their first backoff). Without them the next
// reconcile sees a smaller fleet wanted, a larger availability budget,
// and drains the rest of the old rooms in play at once — maxUnavailable
// broken, and fewer Ready rooms than the displaced matches need. So a
// drained match counts as a room in play until a room holds it again, or
// for the players' recovery window at most (after it they have given up,
// and the controller cannot see a match fail).
type drained map[string]time.Time

// add records a match drained now, counted until until.
func (d drained) add(match string, until time.Time) {
	if match != "" {
		d[match] = until
	}
}

// count forgets the matches a room in play holds again and those past
// their time, and returns how many remain.
func (d drained) count(now time.Time, rooms []Room) int {
	if len(d) == 0 {
		return 0
	}
	for _, r := range rooms {
		if r.State == policy.Allocated {
			delete(d, r.Match)
		}
	}
	for m, until := range d {
		if !now.Before(until) {
			delete(d, m)
		}
	}
	return len(d)
}
