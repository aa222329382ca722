package policy

// Rollout is the state of a rolling update between two versions.
type Rollout struct {
	Desired   int // live servers the buffer policy wants
	New       int // live servers at the new version, Ready or not
	Old       int // live servers at older versions
	Available int // Ready servers of any version (Allocated ones included)
	OldIdle   int // old-version servers in opsState None (deletable)
	// OldAllocated old-version servers are in play; with DrainAllocated
	// the rollout drains them too (their players move to new rooms),
	// within the same availability budget, after the idle ones.
	OldAllocated   int
	DrainAllocated bool
}

// RolloutStep is one step of a rolling update.
type RolloutStep struct {
	Create    int // new-version servers to create
	DeleteOld int // idle old-version servers to delete
	DrainOld  int // Allocated old-version servers to drain (DrainAllocated only)
}

// RollingStep computes a Deployment-style step: at most Desired+maxSurge
// servers in all, at least Desired−maxUnavailable available, and Allocated
// servers are never deleted (they leave when their match ends) unless the
// rollout drains them.
func RollingStep(r Rollout, maxSurge, maxUnavailable int) RolloutStep {
	var st RolloutStep
	total := r.New + r.Old
	st.Create = max(0, min(r.Desired-r.New, r.Desired+maxSurge-total))
	minAvail := r.Desired - maxUnavailable
	st.DeleteOld = max(0, min(r.OldIdle, r.Available-minAvail))
	// Old servers beyond what is still needed can go regardless of surge.
	if excess := total + st.Create - st.DeleteOld - (r.Desired + maxSurge); excess > 0 {
		st.DeleteOld = min(r.OldIdle, st.DeleteOld+excess)
	}
	if r.DrainAllocated {
		st.DrainOld = max(0, min(r.OldAllocated, r.Available-minAvail-st.DeleteOld))
	}
	return st
}
