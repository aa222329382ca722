package fleet

import (
	"slices"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/policy"
)

// TestDrainedMatchesHoldTheRolloutBudget: the rollout of the rollout
// known answer just after its first drain — 2 old rooms in play, 3 new
// Ready idle rooms, 2 matches drained and not yet back. Counting those 2
// as in play keeps Desired at 6 and drains nothing more; forgetting them
// (Desired 4) drained the other 2 at once, and one of the 4 displaced
// matches then waited for a room to start.
func TestDrainedMatchesHoldTheRolloutBudget(t *testing.T) {
	rs := rooms("a", "a", "N", "N", "N")
	s := Update{MaxSurge: func(d int) int { return (d + 3) / 4 }, MaxUnavailable: func(d int) int { return d / 4 }, DrainAllocated: true}
	buffer := policy.AgonesBuffer{Size: 2}
	if p := Decide(rs, buffer, s, 0, 0, 2); p.Desired != 6 || len(p.Drain) != 0 || p.Create != 3 {
		t.Errorf("with 2 drained matches: plan %+v, want Desired 6, 3 created, none drained", p)
	}
	if p := Decide(rs, buffer, s, 0, 0, 0); !slices.Equal(p.Drain, []string{"r0-a", "r1-a"}) {
		t.Errorf("without them: plan %+v, want both old rooms drained (the cascade the count prevents)", p)
	}
}

func TestDrainedForgetsReplacedAndExpiredMatches(t *testing.T) {
	d := drained{}
	d.add("m1", t0.Add(30*time.Second))
	d.add("m2", t0.Add(30*time.Second))
	d.add("m3", t0.Add(5*time.Second))
	d.add("", t0.Add(time.Hour)) // a room without a match is not counted
	held := rooms("A", "N")
	held[0].Match = "m1"
	if n := d.count(t0.Add(time.Second), held); n != 2 {
		t.Errorf("after m1 has a room: %d drained, want 2 (m2, m3)", n)
	}
	if n := d.count(t0.Add(5*time.Second), nil); n != 1 {
		t.Errorf("at m3's end: %d drained, want 1 (m2)", n)
	}
	idle := rooms("N")
	idle[0].Match = "m2" // a None room's stale annotation does not hold m2
	if n := d.count(t0.Add(29*time.Second), idle); n != 1 {
		t.Errorf("m2 on a None room: %d drained, want 1", n)
	}
	if n := d.count(t0.Add(30*time.Second), nil); n != 0 {
		t.Errorf("at m2's end: %d drained, want 0", n)
	}
}
