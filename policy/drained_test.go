package policy

import "testing"

// A drained match counts as in play until a room holds it again or its
// recovery window is over (at until exactly, it is over).
func TestDrainedCountsUntilPlacedOrExpired(t *testing.T) {
	var d Drained[int]
	d.Add(1, 30)
	d.Add(2, 30)
	d.Add(3, 5)
	d.Placed(1)
	if n := d.InPlay(1); n != 2 {
		t.Errorf("after match 1 has a room: %d, want 2", n)
	}
	if n := d.InPlay(5); n != 1 {
		t.Errorf("at match 3's end: %d, want 1", n)
	}
	d.Placed(7) // not drained: nothing changes
	if n := d.InPlay(29.9); n != 1 {
		t.Errorf("before match 2's end: %d, want 1", n)
	}
	if n := d.InPlay(30); n != 0 {
		t.Errorf("at match 2's end: %d, want 0", n)
	}
	if s := (FleetStatus{Live: 4, None: 2, Allocated: 2}).WithDrained(3); s != (FleetStatus{Live: 7, None: 2, Allocated: 5}) {
		t.Errorf("status with 3 drained: %+v", s)
	}
}
