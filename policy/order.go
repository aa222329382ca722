package policy

import "slices"

// DeletionRank orders opsStates for deletion, as OpenKruiseGame does:
// Kill, WaitToBeDeleted, None, Allocated, Maintaining.
func DeletionRank(s OpsState) int {
	switch s {
	case Kill:
		return 0
	case WaitToBeDeleted:
		return 1
	case None:
		return 2
	case Allocated:
		return 3
	}
	return 4
}

// DeletionCost is the pod-deletion-cost annotation fleetd sets so that the
// workload controller deletes in DeletionRank order (lower goes first).
func DeletionCost(s OpsState) int {
	return (DeletionRank(s) - 2) * 1000
}

// Candidate is a server that may be deleted.
type Candidate struct {
	OpsState  OpsState
	Scheduled bool // bound to a node
	Ready     bool
	Priority  int // deletion priority (pod deletion cost): lower goes first
	Index     int // ordinal in the set: higher goes first
	// Old is a server of an older version than the set's: a scale-down
	// takes those first (under OnDelete nothing else replaces them).
	Old bool
}

// DeleteFirst reports whether a is deleted before b: by opsState, then
// unscheduled before scheduled and not-ready before ready (as the
// ReplicaSet controller does), then priority, then the highest index.
func DeleteFirst(a, b Candidate) bool {
	if ra, rb := DeletionRank(a.OpsState), DeletionRank(b.OpsState); ra != rb {
		return ra < rb
	}
	if a.Scheduled != b.Scheduled {
		return !a.Scheduled
	}
	if a.Ready != b.Ready {
		return !a.Ready
	}
	if a.Priority != b.Priority {
		return a.Priority < b.Priority
	}
	return a.Index > b.Index
}

// CompareDeletion is DeleteFirst as a comparison for slices.SortFunc:
// negative when a goes first.
func CompareDeletion(a, b Candidate) int {
	switch {
	case DeleteFirst(a, b):
		return -1
	case DeleteFirst(b, a):
		return 1
	}
	return 0
}

// CompareScaleDown orders a scale-down's surplus, as fleetd and the model
// both take it: old versions first, then DeleteFirst.
func CompareScaleDown(a, b Candidate) int {
	if a.Old != b.Old {
		if a.Old {
			return -1
		}
		return 1
	}
	return CompareDeletion(a, b)
}

// CompareKruiseDeletion orders a GameServerSet's scale-down as kruise-game
// does (util.DeleteSequenceGs): by opsState, then deletion priority, then
// the highest index; unlike a ReplicaSet it does not prefer pods that are
// unscheduled or not Ready.
func CompareKruiseDeletion(a, b Candidate) int {
	if ra, rb := DeletionRank(a.OpsState), DeletionRank(b.OpsState); ra != rb {
		return ra - rb
	}
	if a.Priority != b.Priority {
		return a.Priority - b.Priority
	}
	return b.Index - a.Index
}

// SortForDeletion orders candidates so the first ones go first.
func SortForDeletion(cs []Candidate) {
	slices.SortStableFunc(cs, CompareDeletion)
}

// Deletable reports whether scale-down or a rolling update may delete a
// server in this state: Allocated servers are never deleted by either.
func Deletable(s OpsState) bool { return s != Allocated && s != Maintaining }
