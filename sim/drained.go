package sim

// drained records the match of allocated server s, about to be drained:
// it counts as in play until it has a new server or until the players'
// recovery window ends (policy.Drained says why).
func (f *fleet) drained(m *model, s int32) {
	f.drainedMatches.Add(f.servers[s].match, m.now+m.mm.window)
}

// replaced forgets a drained match once it has a new server.
func (f *fleet) replaced(id int32) { f.drainedMatches.Placed(id) }
