package scenarios

import "time"

// DefaultHPASync is kube-controller-manager's
// --horizontal-pod-autoscaler-sync-period.
const DefaultHPASync = 15 * time.Second

// Tick is how often the fleet's autoscaler acts: the HPA's sync under
// fleet.hpa, else syncInterval (0: on every event).
func (f Fleet) Tick() time.Duration {
	if f.HPA != nil {
		return f.HPA.Sync()
	}
	return f.SyncInterval.Duration
}

// Sync is the HPA's sync period, its default where unset.
func (h *HPA) Sync() time.Duration {
	if h.SyncPeriod.Duration > 0 {
		return h.SyncPeriod.Duration
	}
	return DefaultHPASync
}
