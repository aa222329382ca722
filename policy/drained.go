package policy

// Drained are the matches a draining rollout took out of their rooms, each
// counted as a room in play until a room holds it again, or until its
// players' recovery window ends (then they have given up, and a fleet
// controller cannot see a match fail). K names a match; times are
// seconds on the caller's clock.
//
// Why: the buffer policy sizes the fleet from the rooms in play, and a
// drained room leaves that count at once while its players are still
// coming back. Without them the next pass sees a smaller fleet wanted and
// a larger availability budget, and drains every old room in play at
// once: maxUnavailable broken, and fewer Ready rooms than the displaced
// matches need. The zero value is empty and ready to use.
type Drained[K comparable] struct {
	until map[K]float64
}

// Add records match k, drained now, counted until until.
func (d *Drained[K]) Add(k K, until float64) {
	if d.until == nil {
		d.until = map[K]float64{}
	}
	d.until[k] = until
}

// Placed forgets match k: a room holds it again.
func (d *Drained[K]) Placed(k K) { delete(d.until, k) }

// InPlay forgets the matches past their time at now and counts the rest.
func (d *Drained[K]) InPlay(now float64) int {
	for k, until := range d.until {
		if !(now < until) {
			delete(d.until, k)
		}
	}
	return len(d.until)
}

// WithDrained is the status a policy sees with n drained matches in play:
// each counts as a live, allocated room.
func (s FleetStatus) WithDrained(n int) FleetStatus {
	s.Live += n
	s.Allocated += n
	return s
}
