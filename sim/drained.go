package sim

// drainedMatch is a match a draining rollout took out of its server,
// counted as in play until it has a new one or until until (the
// players' recovery window), as fleetd counts it.
//
// Why: the policy sizes the fleet from the servers in play; without the
// drained matches the next step sees a smaller fleet wanted and a larger
// availability budget, and drains every old server in play at once.
type drainedMatch struct {
	id    int32
	until float64
}

// drained records the match of allocated server s, about to be drained.
func (f *fleet) drained(m *model, s int32) {
	f.drainedMatches = append(f.drainedMatches, drainedMatch{id: f.servers[s].match, until: m.now + m.mm.window})
}

// replaced forgets a drained match once it has a new server.
func (f *fleet) replaced(id int32) {
	for i, d := range f.drainedMatches {
		if d.id == id {
			f.drainedMatches = append(f.drainedMatches[:i], f.drainedMatches[i+1:]...)
			return
		}
	}
}

// inDrain counts the drained matches still in play at now, forgetting
// those past their time (the players have given up; fleetd cannot see a
// match fail either).
func (f *fleet) inDrain(now float64) int {
	if len(f.drainedMatches) == 0 {
		return 0 // every reconcile asks; most fleets never drain
	}
	kept := f.drainedMatches[:0]
	for _, d := range f.drainedMatches {
		if now < d.until {
			kept = append(kept, d)
		}
	}
	f.drainedMatches = kept
	return len(kept)
}
