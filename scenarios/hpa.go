package scenarios

import "time"

// DefaultHPASync is kube-controller-manager's
// --horizontal-pod-autoscaler-sync-period.
const DefaultHPASync = 15 * time.Second

// Tick is how often the fleet's autoscaler acts: the HPA's sync where one
// is in front of the fleet (fleet.hpa, or the okg controller), else
// syncInterval (0: on every event).
func (f Fleet) Tick() time.Duration {
	switch {
	case f.HPA != nil:
		return f.HPA.Sync()
	case f.Controller == OKG:
		return DefaultHPASync
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

// FleetHPA is the HPA in front of the fleet: fleet.hpa; under the okg
// controller without one, the behaviour `sim plan --emit okg` writes
// (EmittedHPA); else none (fleetd acts on the fleet itself).
func (s *Scenario) FleetHPA() *HPA {
	switch {
	case s.Fleet.HPA != nil:
		return s.Fleet.HPA
	case s.Fleet.Controller == OKG:
		h := s.EmittedHPA()
		return &h
	}
	return nil
}

// EmittedHPA is the behaviour `sim plan --emit okg` gives the HPA when
// fleet.hpa does not name one: tolerance 0 both ways (the default 10%
// would leave a fleet short of up to a tenth of what the scaler asks
// for); up at the first sync that asks, by as many rooms as the fleet may
// hold; down at the first sync that asks for less (recycled rooms go
// only then), by up to all of them. The sync period is Kubernetes'.
func (s *Scenario) EmittedHPA() HPA {
	zero := 0.0
	up := s.ReplicaCap()
	if up <= 0 {
		up = maxCount // no cap: the HPA's Pods policy needs a number
	}
	period := D(15 * time.Second)
	return HPA{
		ScaleUp: &HPARules{Tolerance: &zero, SelectPolicy: "Max",
			Policies: []HPAPolicy{{Type: "Pods", Value: up, Period: period}}},
		ScaleDown: &HPARules{Tolerance: &zero,
			Policies: []HPAPolicy{{Type: "Percent", Value: 100, Period: period}}},
	}
}

// ReplicaCap is the most rooms the fleet may have: the policy's max, or
// what the node pool holds, or (neither set) 0.
func (s *Scenario) ReplicaCap() int {
	policyMax := 0
	switch p := s.Fleet.Policy; {
	case p.MinAvailable != nil:
		policyMax = p.MinAvailable.Max
	case p.Buffer != nil:
		policyMax = p.Buffer.Max
	}
	switch {
	case policyMax > 0:
		return policyMax
	case s.Nodes.PodsPerNode > 0:
		return s.Nodes.Max * s.Nodes.PodsPerNode
	}
	return 0
}
