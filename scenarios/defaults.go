package scenarios

import "time"

// Default returns a scenario with every field at its documented default.
// Parse decodes a file on top of it, so a field left out keeps its default;
// one-of blocks (distributions, policy, update, slo) are replaced whole.
func Default() *Scenario {
	minAvail := 14
	return &Scenario{
		APIVersion: APIVersion,
		Kind:       Kind,
		Name:       "scenario",
		Seed:       1,
		Duration:   D(time.Hour),
		Speedup:    1,
		Arrivals: Arrivals{
			Process:  Poisson,
			Segments: []Segment{{Constant: &Rate{Rate: 1}}},
		},
		Players: Players{
			PerMatch:       10,
			MatchTimeout:   D(30 * time.Second),
			OnTimeout:      StartShort,
			SessionLength:  Distribution{Lognormal: &Lognormal{Median: D(30 * time.Minute), Sigma: 0.3}},
			Allocation:     Allocation{OnNoServer: Wait, Timeout: D(60 * time.Second)},
			Disconnect:     Disconnect{Probability: 0.02, Backoff: Backoff{Base: D(time.Second), Max: D(5 * time.Second), Jitter: 0.5}},
			RecoveryWindow: D(2 * time.Minute),
		},
		Fleet: Fleet{
			Policy:       Policy{MinAvailable: &MinAvailable{Count: &minAvail}},
			SyncInterval: D(30 * time.Second),
			PodStartup:   Distribution{Lognormal: &Lognormal{Median: D(8 * time.Second), Sigma: 0.4}},
			AfterMatch:   Recycle,
			IdleTimeout:  D(10 * time.Minute),
			Scheduling:   Packed,
			Update:       Update{OnDelete: &struct{}{}},
		},
		Nodes: Nodes{
			PodsPerNode:    7,
			Initial:        3,
			Min:            1,
			Max:            200,
			ProvisionDelay: Distribution{Fixed: &Duration{5 * time.Second}},
			BootTime:       Distribution{Uniform: &Uniform{Min: D(80 * time.Second), Max: D(120 * time.Second)}},
			ScaleDownAfter: D(10 * time.Minute),
			// Karpenter's default budget.
			ConsolidationBudget: percent(10),
		},
		SLO: SLO{
			TimeToRoom:         Percentiles{P50: &Duration{2 * time.Second}, P99: &Duration{10 * time.Second}},
			AllocationFailures: &MaxRatio{Max: 0.001},
			StateRecovery:      &MinRatio{Min: 0.999},
			AutoscaleLag:       Percentiles{P95: &Duration{150 * time.Second}},
		},
	}
}

// UnmarshalYAML replaces the default objectives: a file that states its
// SLOs is judged by those alone.
func (s *SLO) UnmarshalYAML(unmarshal func(any) error) error {
	type plain SLO
	var v plain
	err := unmarshal(&v)
	*s = SLO(v)
	return err
}

// UnmarshalYAML defaults rollingUpdate's bounds to Kubernetes' 25%/25%.
func (r *RollingUpdate) UnmarshalYAML(unmarshal func(any) error) error {
	type plain RollingUpdate
	v := plain{MaxSurge: percent(25), MaxUnavailable: percent(25)}
	err := unmarshal(&v)
	*r = RollingUpdate(v)
	return err
}
