package fleet

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/policy"
)

var t0 = time.Unix(1_700_000_000, 0)

func rooms(spec ...string) []Room {
	// spec: "N" None, "A" Allocated, "W" WaitToBeDeleted; lower case = old version.
	var out []Room
	for i, s := range spec {
		r := Room{Name: fmt.Sprintf("r%d-%s", i, s), Current: s == "N" || s == "A" || s == "W", Ready: true, Scheduled: true, Created: t0.Add(time.Duration(i) * time.Second), IdleFor: time.Hour}
		switch s {
		case "N", "n":
			r.State = policy.None
		case "A", "a":
			r.State = policy.Allocated
		case "W", "w":
			r.State = policy.WaitToBeDeleted
		}
		out = append(out, r)
	}
	return out
}

func rolling(surge, unavail int) Update {
	return Update{MaxSurge: func(int) int { return surge }, MaxUnavailable: func(int) int { return unavail }}
}

func TestScaleUpToMinAvailable(t *testing.T) {
	p := Decide(rooms("N", "N", "A", "A"), policy.MinAvailable{Count: 5}, rolling(1, 0), 0, 0, 0)
	if p.Desired != 7 || p.Create != 3 || len(p.Delete) != 0 {
		t.Errorf("plan %+v: want 3 more None rooms (desired 7)", p)
	}
}

func TestScaleDownDeletesNewestIdleNeverAllocated(t *testing.T) {
	p := Decide(rooms("N", "A", "N", "A", "N", "W"), policy.MinAvailable{Count: 1}, rolling(1, 0), 0, 0, 0)
	// W is recycled; of the 3 None, 2 go (the newest first); Allocated stay.
	want := []string{"r5-W", "r4-N", "r2-N"}
	if !slices.Equal(p.Delete, want) || p.Create != 0 {
		t.Errorf("deleted %v, want %v", p.Delete, want)
	}
}

func TestScaleDownHonoursIdleTimeout(t *testing.T) {
	rs := rooms("N", "N", "N")
	rs[2].IdleFor = time.Second
	p := Decide(rs, policy.MinAvailable{Count: 1}, rolling(1, 0), time.Minute, 0, 0)
	if !slices.Equal(p.Delete, []string{"r1-N", "r0-N"}) {
		t.Errorf("deleted %v: a room idle only 1 s of the 60 s timeout must stay", p.Delete)
	}
}

// TestRollingUpdateNeverDeletesAllocated runs a rollout to the end: each
// step's plan is applied, Allocated old rooms finish their matches late.
func TestRollingUpdateNeverDeletesAllocated(t *testing.T) {
	rs := rooms("n", "n", "a", "a", "n")
	buffer := policy.AgonesBuffer{Size: 3}
	next := 100
	for step := range 50 {
		rs = applyPlan(t, step, rs, Decide(rs, buffer, rolling(1, 0), 0, 0, 0), &next)
		if step == 10 { // the old matches end: those rooms return to None
			for i := range rs {
				if !rs[i].Current && rs[i].State == policy.Allocated {
					rs[i].State = policy.None
				}
			}
		}
	}
	for _, r := range rs {
		if !r.Current {
			t.Errorf("old room %s left after the rollout", r.Name)
		}
	}
	if len(rs) != 3 {
		t.Errorf("%d rooms after the rollout, want the buffer's 3", len(rs))
	}
}

func TestDrainingRolloutDrainsOldRoomsInPlayOldestFirst(t *testing.T) {
	rs := rooms("a", "a", "a", "N", "N", "N")
	s := rolling(0, 1)
	s.DrainAllocated = true
	p := Decide(rs, policy.AgonesBuffer{Size: 3}, s, 0, 0, 0)
	// Desired 6 (3 allocated + 3), 6 available, 1 may be unavailable.
	if len(p.Delete) != 0 || !slices.Equal(p.Drain, []string{"r0-a"}) {
		t.Errorf("plan %+v: want r0-a drained, nothing deleted", p)
	}
	s.DrainAllocated = false
	if p := Decide(rs, policy.AgonesBuffer{Size: 3}, s, 0, 0, 0); len(p.Drain) != 0 {
		t.Errorf("plan %+v drains without drainAllocated", p)
	}
}

// TestBufferHeldUnderChurn: random allocations, match ends and losses;
// after each reconcile the None rooms meet the target (up to the cap) and
// no Allocated room was ever chosen for deletion.
func TestBufferHeldUnderChurn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buffer := policy.MinAvailable{Count: 4, Max: 40}
	var rs []Room
	next := 0
	for step := range 2000 {
		rs = applyPlan(t, step, rs, Decide(rs, buffer, rolling(1, 0), 0, 0, 0), &next)
		none := 0
		for _, r := range rs {
			if r.State == policy.None {
				none++
			}
		}
		if none < buffer.Count && len(rs) < buffer.Max {
			t.Fatalf("step %d: %d None rooms of %d, below the buffer of %d", step, none, len(rs), buffer.Count)
		}
		// Churn: allocate, end matches (recycle), lose rooms.
		for i := range rs {
			switch x := rng.Float64(); {
			case rs[i].State == policy.None && x < 0.3:
				rs[i].State = policy.Allocated
			case rs[i].State == policy.Allocated && x < 0.2:
				rs[i].State = policy.WaitToBeDeleted
			}
		}
		if len(rs) > 0 && rng.Float64() < 0.05 {
			k := rng.IntN(len(rs))
			rs = slices.Delete(rs, k, k+1)
		}
	}
}

// applyPlan deletes and creates as the controller would (new rooms are
// Ready at once), failing if the plan deletes an Allocated room.
func applyPlan(t *testing.T, step int, rs []Room, p Plan, next *int) []Room {
	t.Helper()
	for _, name := range p.Delete {
		i := slices.IndexFunc(rs, func(r Room) bool { return r.Name == name })
		if rs[i].State == policy.Allocated {
			t.Fatalf("step %d deletes Allocated room %s", step, name)
		}
		rs = slices.Delete(rs, i, i+1)
	}
	for range p.Create {
		*next++
		rs = append(rs, Room{Name: fmt.Sprintf("new%d", *next), Current: true, Ready: true, State: policy.None, Created: t0.Add(time.Duration(*next) * time.Second)})
	}
	return rs
}

// TestMaintainBetweenTicks: between the autoscaler's ticks the pods stay
// at the last tick's replicas: a lost room is replaced, an allocated or
// recycled one is not (its pod still counts), nothing is deleted, and a
// rollout advances.
func TestMaintainBetweenTicks(t *testing.T) {
	if p := Maintain(rooms("A", "A", "N"), 4, rolling(1, 0)); p.Create != 1 || len(p.Delete) != 0 {
		t.Errorf("a room lost: %+v, want one created", p)
	}
	if p := Maintain(rooms("A", "W", "N"), 3, rolling(1, 0)); p.Create != 0 || len(p.Delete) != 0 {
		t.Errorf("a room recycled: %+v, want nothing until the tick", p)
	}
	if p := Maintain(rooms("n", "n", "a"), 3, rolling(1, 0)); p.Create != 1 {
		t.Errorf("a rollout between ticks: %+v, want a surge", p)
	}
	if p := Maintain(rooms("A", "A", "N"), 3, Update{OnDelete: true}); p.Create != 0 {
		t.Errorf("at the target: %+v", p)
	}
}
