package sim

import "testing"

// TestDrainedMatchesCountUntilReplacedOrExpired: a drained match counts
// as in play until it has a new server or its recovery window is over.
func TestDrainedMatchesCountUntilReplacedOrExpired(t *testing.T) {
	var f fleet
	f.drainedMatches = []drainedMatch{{id: 1, until: 30}, {id: 2, until: 30}, {id: 3, until: 5}}
	f.replaced(1)
	if n := f.inDrain(1); n != 2 {
		t.Errorf("after match 1 has a server: %d, want 2", n)
	}
	if n := f.inDrain(5); n != 1 {
		t.Errorf("at match 3's end: %d, want 1", n)
	}
	f.replaced(7) // not drained: nothing changes
	if n := f.inDrain(29.9); n != 1 {
		t.Errorf("before match 2's end: %d, want 1", n)
	}
	if n := f.inDrain(30); n != 0 {
		t.Errorf("at match 2's end: %d, want 0", n)
	}
}
