package sim

import (
	"fmt"
	"math"
	"slices"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
)

// fleet is the game-server set and its buffer controller.
type fleet struct {
	servers   []server
	free      []int32
	noneList  []int32 // live servers in opsState None (pending, starting, ready)
	allocList []int32
	doomed    []int32
	nextIndex int64

	pods                                   int // servers in any state but free
	live, none, ready, starting, allocated int
	liveByVersion                          []int
	version                                int32

	policy          policy.Buffer
	hpa             *policy.HPA // KEDA's HPA between the rule and the fleet, when modelled
	replicas        int         // pods the autoscaler last asked for
	tick            float64
	reuse           bool
	deleteOnRecycle bool
	idleTimeout     float64
	rolling         *scenarios.RollingUpdate

	// scaleDownNotBefore is a lower bound on when any None server becomes
	// old enough to delete, so an event-driven controller with a surplus
	// does not rescan the fleet on every event.
	scaleDownNotBefore float64
	candidates         []candidate // scratch for deleteNone
	drainedMatches     policy.Drained[int32]
}

func (f *fleet) init(sc *scenarios.Scenario) error {
	p := sc.Fleet.Policy
	switch {
	case p.MinAvailable != nil:
		// OpenKruiseGame game servers mark themselves WaitToBeDeleted after
		// idling; Agones has no such delay, its scale-down is immediate.
		f.idleTimeout = sc.Fleet.IdleTimeout.Seconds()
	case p.Buffer != nil:
		f.deleteOnRecycle = true
	default:
		return fmt.Errorf("fleet.policy: no policy set")
	}
	f.policy = p.Spec().Buffer()
	if hpa := sc.FleetHPA(); hpa != nil {
		h := hpaOf(hpa, p.MinAvailable.Max)
		f.hpa = &h
	}
	f.tick = sc.Fleet.Tick().Seconds()
	f.reuse = sc.Fleet.AfterMatch == scenarios.Reuse
	f.rolling = sc.Fleet.Update.RollingUpdate
	f.liveByVersion = []int{0}
	return nil
}

// setCount changes the policy's count (a schedule step).
func (f *fleet) setCount(n int) {
	switch p := f.policy.(type) {
	case policy.MinAvailable:
		p.Count = n
		f.policy = p
	case policy.AgonesBuffer:
		p.Size = n
		f.policy = p
	}
}

// status is what the policy sees; drained matches count as in play.
func (f *fleet) status(m *model) policy.FleetStatus {
	st := policy.FleetStatus{Live: f.live, None: f.none, Allocated: f.allocated, WaitingRequests: m.mm.nWaiting}
	return st.WithDrained(f.drainedMatches.InPlay(m.now))
}

// reconcile is one pass of the buffer autoscaler (on its tick, or after
// every event when syncInterval is 0): delete recycled WaitToBeDeleted
// servers and set the replica target from the policy.
func (f *fleet) reconcile(m *model) {
	if f.hpa != nil {
		f.reconcileKEDA(m)
		return
	}
	if len(f.doomed) > 0 {
		f.deleteDoomed(m)
	}
	f.replicas = f.policy.Desired(f.status(m))
	f.maintain(m)
}

// maintain is the workload controller (GameServerSet, Deployment): after
// every event it keeps pods at the replica target, so a crashed, lost or
// (Agones) deleted server is replaced at once, and it steps a rolling
// update as servers become Ready, without waiting for a tick. It counts
// pods, not live servers: an OpenKruiseGame server marked WaitToBeDeleted
// still has its pod, and is only removed by the autoscaler's next pass.
func (f *fleet) maintain(m *model) {
	if f.rolling != nil && f.liveByVersion[f.version] < f.live {
		f.rollStep(m, f.replicas)
		return
	}
	switch {
	case f.replicas > f.pods:
		for range f.replicas - f.pods {
			f.newServer(m)
		}
	case f.replicas < f.pods && f.hpa != nil:
		f.gssScaleDown(m, f.pods-f.replicas)
	case f.replicas < f.pods && m.now >= f.scaleDownNotBefore:
		f.scaleDown(m, f.pods-f.replicas)
	}
}

// rollStep advances a RollingUpdate toward the current version.
func (f *fleet) rollStep(m *model, desired int) {
	oldIdle, oldAllocated := 0, 0
	for _, s := range f.noneList {
		if f.servers[s].version != f.version {
			oldIdle++
		}
	}
	for _, s := range f.allocList {
		if f.servers[s].version != f.version {
			oldAllocated++
		}
	}
	r := policy.Rollout{
		Desired: desired, New: f.liveByVersion[f.version], Old: f.live - f.liveByVersion[f.version],
		Available: f.ready + f.allocated, OldIdle: oldIdle, OldAllocated: oldAllocated, DrainAllocated: f.rolling.DrainAllocated,
	}
	st := policy.RollingStep(r, f.rolling.MaxSurge.Of(desired, true), f.rolling.MaxUnavailable.Of(desired, false))
	if st.DeleteOld > 0 {
		f.deleteNone(m, st.DeleteOld, func(sv *server) bool { return sv.version != f.version })
	}
	f.drainOld(m, st.DrainOld)
	for range st.Create {
		f.newServer(m)
	}
}

// drainOld removes n Allocated old-version servers, oldest first: their
// matches are displaced and re-allocated, as the room server's drain does.
func (f *fleet) drainOld(m *model, n int) {
	f.candidates = f.candidates[:0]
	for _, s := range f.allocList {
		if f.servers[s].version != f.version {
			f.candidates = append(f.candidates, candidate{id: s, Candidate: policy.Candidate{Index: int(f.servers[s].index)}})
		}
	}
	slices.SortFunc(f.candidates, func(a, b candidate) int { return a.Index - b.Index })
	for _, c := range f.candidates[:min(n, len(f.candidates))] {
		f.drained(m, c.id)
		f.remove(m, c.id)
	}
}

// scaleDown deletes up to n None servers idle for at least idleTimeout,
// in the shared deletion order.
func (f *fleet) scaleDown(m *model, n int) {
	cutoff := m.now - f.idleTimeout
	next := math.Inf(1)
	deleted := f.deleteNone(m, n, func(sv *server) bool {
		if sv.idleSince > cutoff {
			next = math.Min(next, sv.idleSince+f.idleTimeout)
			return false
		}
		return true
	})
	if deleted < n && !math.IsInf(next, 1) {
		f.scaleDownNotBefore = next
		if f.tick == 0 {
			m.q.push(next, evScaleDownWake, 0, 0)
		}
	}
}

// deleteNone deletes up to n None servers that pass ok, first in
// policy.CompareScaleDown order (old versions first, as fleetd), and
// returns how many it deleted.
func (f *fleet) deleteNone(m *model, n int, ok func(*server) bool) int {
	f.candidates = f.candidates[:0]
	for _, s := range f.noneList {
		sv := &f.servers[s]
		if !ok(sv) {
			continue
		}
		f.candidates = append(f.candidates, candidate{id: s, Candidate: policy.Candidate{
			OpsState: policy.None, Scheduled: sv.state != srvPending, Ready: sv.state == srvReady,
			Index: int(sv.index), Old: sv.version != f.version,
		}})
	}
	slices.SortStableFunc(f.candidates, func(a, b candidate) int { return policy.CompareScaleDown(a.Candidate, b.Candidate) })
	n = min(n, len(f.candidates))
	for _, c := range f.candidates[:n] {
		f.remove(m, c.id)
	}
	return n
}

// candidate is a server up for deletion, as the shared order sees it.
type candidate struct {
	policy.Candidate
	id int32
}

// rollout moves the fleet to a new version (a rollingDeploy event); the
// model only needs versions' order, the name goes to the run's events.
func (f *fleet) rollout() {
	f.version++
	f.liveByVersion = append(f.liveByVersion, 0)
}
