// Package fleet is fleetd's controller: it keeps the room-server fleet at
// the buffer policy's size, replaces old versions per the update strategy,
// and never deletes an Allocated room. It manages the room pods itself,
// from a PodTemplate, as Agones' GameServerSet and OpenKruiseGame's
// GameServerSet do: a Deployment could delete Allocated pods when a
// rolling update scales its old ReplicaSet down.
package fleet

import (
	"slices"
	"time"

	"github.com/fleetbench/fleetbench/policy"
)

// Room is what the plan needs to know about one room pod.
type Room struct {
	Name      string
	State     policy.OpsState
	Current   bool // built from the current template
	Ready     bool
	Created   time.Time
	IdleFor   time.Duration // time in opsState None (for the idle timeout)
	Scheduled bool
	Match     string // the match an Allocated room holds
}

// Update is the update strategy: RollingUpdate with its bounds (already
// resolved against the desired size by the caller) or OnDelete.
type Update struct {
	OnDelete                 bool
	MaxSurge, MaxUnavailable func(desired int) int
	DrainAllocated           bool          // a rollout drains old rooms in play too
	DrainedFor               time.Duration // a drained match counts as in play this long at most (the recovery window)
}

// Plan is one reconcile's decisions.
type Plan struct {
	Desired int
	Create  int
	Delete  []string // in deletion order
	Drain   []string // Allocated old rooms to drain (DrainAllocated), oldest first
	Status  policy.FleetStatus
}

// Decide plans one step: recycle WaitToBeDeleted and Kill rooms, advance a
// rolling update, or scale to the policy's size deleting in policy order.
// Allocated (and Maintaining) rooms are never deleted. drained matches
// (see drained) count as rooms in play.
func Decide(rooms []Room, buffer policy.Buffer, update Update, idleTimeout time.Duration, waiting, drained int) Plan {
	var p Plan
	var live []Room
	for _, r := range rooms {
		switch r.State {
		case policy.WaitToBeDeleted, policy.Kill:
			p.Delete = append(p.Delete, r.Name)
			continue
		case policy.None:
			p.Status.None++
		case policy.Allocated:
			p.Status.Allocated++
		}
		live = append(live, r)
	}
	p.Status.Live, p.Status.WaitingRequests = len(live), waiting
	p.Status = p.Status.WithDrained(drained)
	p.Desired = buffer.Desired(p.Status)

	if rollout(&p, live, update) {
		return p
	}
	switch n := len(live); {
	case n < p.Desired:
		p.Create = p.Desired - n
	case n > p.Desired:
		idle := func(r Room) bool { return r.State != policy.None || r.IdleFor >= idleTimeout }
		p.Delete = append(p.Delete, pick(live, n-p.Desired, idle)...)
	}
	return p
}

// rollout advances a rolling update toward the current template, with
// the plan's Desired; false when there is none to advance (no old rooms,
// or OnDelete).
func rollout(p *Plan, live []Room, update Update) bool {
	old, oldIdle, oldAllocated, ready, current := 0, 0, 0, 0, 0
	for _, r := range live {
		if r.Ready {
			ready++
		}
		if r.Current {
			current++
			continue
		}
		old++
		if policy.Deletable(r.State) {
			oldIdle++
		}
		if r.State == policy.Allocated {
			oldAllocated++
		}
	}
	if old == 0 || update.OnDelete {
		return false
	}
	step := policy.RollingStep(policy.Rollout{Desired: p.Desired, New: current, Old: old, Available: ready, OldIdle: oldIdle,
		OldAllocated: oldAllocated, DrainAllocated: update.DrainAllocated},
		update.MaxSurge(p.Desired), update.MaxUnavailable(p.Desired))
	p.Create = step.Create
	p.Delete = append(p.Delete, pick(live, step.DeleteOld, func(r Room) bool { return !r.Current })...)
	p.Drain = drainOrder(live, step.DrainOld)
	return true
}

// Maintain is the workload controller's step between the autoscaler's
// ticks (syncInterval > 0), as the model's: the pods are kept at the last
// tick's replicas — a crashed or lost room is replaced at once — and a
// rolling update advances, but the policy is not consulted: an Allocated
// room is not replaced, and a WaitToBeDeleted room keeps its pod, until
// the next tick (OpenKruiseGame's autoscaler polls).
func Maintain(rooms []Room, replicas int, update Update) Plan {
	p := Plan{Desired: replicas}
	var live []Room
	for _, r := range rooms {
		if r.State != policy.WaitToBeDeleted && r.State != policy.Kill {
			live = append(live, r)
		}
	}
	if rollout(&p, live, update) {
		return p
	}
	p.Create = max(0, replicas-len(rooms))
	return p
}

// pick chooses up to n deletable rooms matching keep, in scale-down order
// (old versions first).
func pick(rooms []Room, n int, keep func(Room) bool) []string {
	if n <= 0 {
		return nil
	}
	var cands []policy.Candidate
	var names []string
	for _, r := range rooms {
		if !policy.Deletable(r.State) || !keep(r) {
			continue
		}
		// The newest goes first among equals, as the ReplicaSet controller does.
		cands = append(cands, policy.Candidate{OpsState: r.State, Scheduled: r.Scheduled, Ready: r.Ready, Index: int(r.Created.UnixMilli()), Old: !r.Current})
		names = append(names, r.Name)
	}
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return policy.CompareScaleDown(cands[a], cands[b]) })
	var out []string
	for _, i := range order[:min(n, len(order))] {
		out = append(out, names[i])
	}
	return out
}

// drainOrder names up to n Allocated old-version rooms, oldest first (as
// the model drains them).
func drainOrder(rooms []Room, n int) []string {
	var old []Room
	for _, r := range rooms {
		if !r.Current && r.State == policy.Allocated {
			old = append(old, r)
		}
	}
	slices.SortStableFunc(old, func(a, b Room) int { return a.Created.Compare(b.Created) })
	var out []string
	for _, r := range old[:min(n, len(old))] {
		out = append(out, r.Name)
	}
	return out
}
