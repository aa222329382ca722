// Package policy holds the fleet decisions that the model (sim) and the
// real controllers (stack) share: how many servers to keep, which to delete
// first, how a rolling update steps and which room a match gets. It is pure:
// no I/O, no clock, no randomness.
package policy

import "math"

// OpsState is a game server's operational state (OpenKruiseGame's opsState;
// Agones' Ready/Allocated map to None/Allocated).
type OpsState uint8

// The opsStates, in no particular order; see DeletionRank for the order.
const (
	None OpsState = iota
	Allocated
	WaitToBeDeleted
	Kill
	Maintaining
)

var opsStateNames = [...]string{"None", "Allocated", "WaitToBeDeleted", "Kill", "Maintaining"}

func (s OpsState) String() string {
	if int(s) < len(opsStateNames) {
		return opsStateNames[s]
	}
	return "Unknown"
}

// FleetStatus is what a buffer policy looks at. Counts exclude servers
// already being deleted.
type FleetStatus struct {
	Live            int // servers not marked for deletion (not WaitToBeDeleted/Kill)
	None            int // opsState None, Ready or not (OpenKruiseGame counts these)
	Allocated       int
	WaitingRequests int // allocation requests waiting for a server
}

// Buffer is a fleet buffer policy: it answers the desired number of live
// servers for a status.
type Buffer interface {
	Desired(FleetStatus) int
	// Target is the number of idle servers the policy aims to hold.
	Target(FleetStatus) int
}

// MinAvailable is OpenKruiseGame's rule: keep at least Count (or
// ceil(Fraction·live)) servers in opsState None, Ready or not. When fewer,
// desired = live + (minAvailable − none). Max caps live servers (0 = none).
// CountWaiting subtracts waiting requests from None: the demand-aware variant.
type MinAvailable struct {
	Count        int
	Fraction     float64 // used when UseFraction
	UseFraction  bool
	Max          int
	CountWaiting bool
}

// Target is the minimum number of None servers.
func (p MinAvailable) Target(s FleetStatus) int {
	if p.UseFraction {
		return int(math.Ceil(p.Fraction * float64(s.Live)))
	}
	return p.Count
}

// Desired is live + (target − available); below live means a surplus.
func (p MinAvailable) Desired(s FleetStatus) int {
	avail := s.None
	if p.CountWaiting {
		avail -= s.WaitingRequests
	}
	return capAt(s.Live+p.Target(s)-avail, 0, p.Max)
}

// AgonesBuffer is the Agones fleet autoscaler's buffer policy:
// desired = allocated + Size, or ceil(allocated·100/(100−Percent)),
// clamped to [Min, Max] (Max 0 = no cap). The buffer counts servers that
// are not Ready yet. CountWaiting adds waiting requests to allocated.
type AgonesBuffer struct {
	Size         int
	Percent      float64 // used when UsePercent, 1–99
	UsePercent   bool
	Min, Max     int
	CountWaiting bool
}

// Target is the idle buffer the policy aims for.
func (p AgonesBuffer) Target(s FleetStatus) int {
	return p.Desired(s) - s.Allocated
}

// Desired is the Agones replica count for the status.
func (p AgonesBuffer) Desired(s FleetStatus) int {
	demand := s.Allocated
	if p.CountWaiting {
		demand += s.WaitingRequests
	}
	var want int
	if p.UsePercent {
		want = int(math.Ceil(float64(demand) * 100 / (100 - p.Percent)))
	} else {
		want = demand + p.Size
	}
	return capAt(want, p.Min, p.Max)
}

// capAt clamps v to [lo, hi], hi 0 meaning no upper bound.
func capAt(v, lo, hi int) int {
	if hi > 0 && v > hi {
		v = hi
	}
	if v < lo {
		v = lo
	}
	return v
}

// ParseOpsState reads an opsState name as String writes it.
func ParseOpsState(name string) (OpsState, bool) {
	for i, n := range opsStateNames {
		if n == name {
			return OpsState(i), true
		}
	}
	return None, false
}
