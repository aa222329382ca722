package fleet

import (
	"time"

	"github.com/fleetbench/fleetbench/policy"
)

// drained are the matches a draining rollout took out of their rooms and
// that have no new room yet: the rule is policy.Drained, on wall-clock
// seconds; a room holding a match again is what places it.
type drained struct{ policy.Drained[string] }

// add records a match drained now, counted until until.
func (d *drained) add(match string, until time.Time) {
	if match != "" {
		d.Add(match, seconds(until))
	}
}

// count forgets the matches a room in play holds again and those past
// their time, and returns how many remain.
func (d *drained) count(now time.Time, rooms []Room) int {
	for _, r := range rooms {
		if r.State == policy.Allocated {
			d.Placed(r.Match)
		}
	}
	return d.InPlay(seconds(now))
}

func seconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
