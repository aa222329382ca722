package sim

import (
	"slices"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
)

// hpaOf is the scenario's HPA, Kubernetes' defaults where unset, with
// minAvailable.max as its maxReplicas (KEDA's maxReplicaCount).
func hpaOf(h *scenarios.HPA, maxReplicas int) policy.HPA {
	out := policy.DefaultHPA()
	out.Max = maxReplicas
	if h.Tolerance != nil {
		out.TolUp, out.TolDown = *h.Tolerance, *h.Tolerance
	}
	rules := func(r *scenarios.HPARules, def policy.HPARules, tol *float64) policy.HPARules {
		if r == nil {
			return def
		}
		if r.Tolerance != nil {
			*tol = *r.Tolerance
		}
		pr := policy.HPARules{Window: r.StabilizationWindow.Seconds(), SelectMin: r.SelectPolicy == "Min", Disabled: r.SelectPolicy == "Disabled"}
		for _, p := range r.Policies {
			pr.Policies = append(pr.Policies, policy.HPARate{Percent: p.Type == "Percent", Value: p.Value, Period: p.Period.Seconds()})
		}
		return pr
	}
	out.Up = rules(h.ScaleUp, out.Up, &out.TolUp)
	out.Down = rules(h.ScaleDown, out.Down, &out.TolDown)
	return out
}

// reconcileKEDA is one HPA sync of OpenKruiseGame as deployed: rooms idle
// past idleTimeout mark themselves WaitToBeDeleted (the game server's idle
// probe), KEDA asks kruise-game's scaler for a replica count, the HPA
// passes it through its tolerance, windows and rates into spec.replicas,
// and the GameServerSet deletes the pods above it, WaitToBeDeleted first.
// A WaitToBeDeleted room (recycled or idle) stays a pod, counted in
// spec.replicas, until then. The set is created at the scaler's first
// ask, before any HPA sync.
func (f *fleet) reconcileKEDA(m *model) {
	f.markIdle(m)
	st := f.status(m)
	ask := f.policy.(policy.MinAvailable).ScalerAsk(policy.ScalerStatus{
		Replicas: f.replicas, Pods: f.pods, None: st.None, WaitToBeDeleted: f.pods - f.live, WaitingRequests: st.WaitingRequests,
	})
	if m.now > 0 {
		ask = f.hpa.Next(m.now, f.replicas, ask)
	}
	f.replicas = ask
	f.maintain(m)
}

// markIdle turns Ready rooms idle for idleTimeout into WaitToBeDeleted.
func (f *fleet) markIdle(m *model) {
	if f.idleTimeout <= 0 {
		return
	}
	cutoff := m.now - f.idleTimeout
	for i := 0; i < len(f.noneList); {
		s := f.noneList[i]
		sv := &f.servers[s]
		if sv.state != srvReady || sv.idleSince > cutoff {
			i++
			continue
		}
		m.nodes.removeReady(m, s)
		f.removeNone(s) // moves the last entry into i
		sv.state = srvDoomed
		f.ready--
		f.none--
		f.live--
		f.liveByVersion[sv.version]--
		f.doomed = append(f.doomed, s)
	}
}

// gssScaleDown deletes n pods in the GameServerSet's order (kruise-game
// DeleteSequenceGs: WaitToBeDeleted, then None, then Allocated; the
// highest index first within a state).
func (f *fleet) gssScaleDown(m *model, n int) {
	f.candidates = f.candidates[:0]
	add := func(s int32, ops policy.OpsState) {
		f.candidates = append(f.candidates, candidate{id: s, Candidate: policy.Candidate{OpsState: ops, Index: int(f.servers[s].index)}})
	}
	// A slot deleted and reused may be listed twice: keep each once.
	keep := f.doomed[:0]
	for _, s := range f.doomed {
		if f.servers[s].state == srvDoomed {
			keep = append(keep, s)
		}
	}
	slices.Sort(keep)
	f.doomed = slices.Compact(keep)
	for _, s := range f.doomed {
		add(s, policy.WaitToBeDeleted)
	}
	if len(f.candidates) < n {
		for _, s := range f.noneList {
			add(s, policy.None)
		}
		for _, s := range f.allocList {
			add(s, policy.Allocated)
		}
	}
	slices.SortStableFunc(f.candidates, func(a, b candidate) int { return policy.CompareKruiseDeletion(a.Candidate, b.Candidate) })
	for _, c := range f.candidates[:min(n, len(f.candidates))] {
		f.remove(m, c.id) // an Allocated room's match is displaced
	}
}
