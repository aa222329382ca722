package scenarios

import (
	"fmt"
	"math"
	"time"
)

// MaxStateBytes bounds fleet.room.stateBytes: a state is one WebSocket
// frame, sent to every player every tick.
const MaxStateBytes = 1 << 20

func (s *Scenario) validateFleet(e *Errors) {
	f := s.Fleet
	p := f.Policy
	switch {
	case (p.MinAvailable == nil) == (p.Buffer == nil):
		e.add("fleet.policy", "must have exactly one of minAvailable, buffer")
	case p.MinAvailable != nil:
		m := p.MinAvailable
		if (m.Count == nil) == (m.Fraction == nil) {
			e.add("fleet.policy.minAvailable", "must have exactly one of count, fraction")
		}
		if m.Count != nil && *m.Count < 0 {
			e.add("fleet.policy.minAvailable.count", "must be ≥ 0")
		}
		if m.Count != nil {
			atMost(e, "fleet.policy.minAvailable.count", *m.Count, maxCount)
		}
		atMost(e, "fleet.policy.minAvailable.max", m.Max, maxCount)
		if m.Fraction != nil {
			fraction(e, "fleet.policy.minAvailable.fraction", *m.Fraction)
		}
		if m.Max < 0 {
			e.add("fleet.policy.minAvailable.max", "must be ≥ 0 (0 = no cap)")
		}
		if m.Count != nil && m.Max > 0 && m.Max < *m.Count {
			e.add("fleet.policy.minAvailable.max", "must be 0 (no cap) or ≥ count (%d)", *m.Count)
		}
	default:
		b := p.Buffer
		if (b.Size == nil) == (b.Percent == nil) {
			e.add("fleet.policy.buffer", "must have exactly one of size, percent")
		}
		if b.Size != nil && *b.Size < 0 {
			e.add("fleet.policy.buffer.size", "must be ≥ 0")
		}
		if b.Size != nil {
			atMost(e, "fleet.policy.buffer.size", *b.Size, maxCount)
		}
		atMost(e, "fleet.policy.buffer.max", b.Max, maxCount)
		atMost(e, "fleet.policy.buffer.min", b.Min, maxCount)
		if b.Percent != nil && finite(e, "fleet.policy.buffer.percent", *b.Percent) && (*b.Percent < 1 || *b.Percent > 99) {
			e.add("fleet.policy.buffer.percent", "must be between 1 and 99 (as in Agones)")
		}
		if b.Min < 0 {
			e.add("fleet.policy.buffer.min", "must be ≥ 0")
		}
		if b.Max < 0 || (b.Max > 0 && b.Max < b.Min) {
			e.add("fleet.policy.buffer.max", "must be 0 (no cap) or ≥ min (%d)", b.Min)
		}
		if b.Size != nil && b.Max > 0 && b.Max < *b.Size {
			e.add("fleet.policy.buffer.max", "must be 0 (no cap) or ≥ size (%d)", *b.Size)
		}
	}
	s.validateSchedule(e)
	s.validateHPA(e)
	if f.Controller == OKG && p.MinAvailable == nil {
		e.add("fleet.controller", "okg is OpenKruiseGame, whose rule is minAvailable: it needs fleet.policy.minAvailable, not the Agones buffer")
	}
	if r := f.Room; r != nil {
		if r.TickRate < 0 || r.TickRate > 1000 || math.IsNaN(r.TickRate) {
			e.add("fleet.room.tickRate", "must be 0 (the default, 20) to 1000 states a second, got %g", r.TickRate)
		}
		if r.StateBytes < 0 || r.StateBytes > MaxStateBytes {
			e.add("fleet.room.stateBytes", "must be 0 (no padding) to %d bytes, got %d", MaxStateBytes, r.StateBytes)
		}
	}
	period(e, "fleet.syncInterval", f.SyncInterval)
	distribution(e, "fleet.podStartup", f.PodStartup)
	nonNegativeDuration(e, "fleet.idleTimeout", f.IdleTimeout)
	u := f.Update
	if (u.OnDelete == nil) == (u.RollingUpdate == nil) {
		e.add("fleet.update", "must have exactly one of onDelete, rollingUpdate")
	}
	if r := u.RollingUpdate; r != nil {
		surge := bound(e, "fleet.update.rollingUpdate.maxSurge", r.MaxSurge)
		unavail := bound(e, "fleet.update.rollingUpdate.maxUnavailable", r.MaxUnavailable)
		if surge && unavail && r.MaxSurge.Value == 0 && r.MaxUnavailable.Value == 0 {
			e.add("fleet.update.rollingUpdate", "maxSurge and maxUnavailable must not both be 0")
		}
	}
}

// bound checks a maxSurge/maxUnavailable value and reports whether it is valid.
func bound(e *Errors, path string, v IntOrPercent) bool {
	switch {
	case v.Value < 0:
		e.add(path, "must be ≥ 0")
	case v.Percent && v.Value > 100:
		e.add(path, "must be at most 100%%, not %g%%", v.Value)
	default:
		return true
	}
	return false
}

// Quantile is one percentile limit of an SLO.
type Quantile struct {
	Name  string  // "p99"
	Q     float64 // 0.99
	Limit float64 // seconds
}

// List returns the set percentile limits in ascending order.
func (p Percentiles) List() []Quantile {
	var out []Quantile
	for _, c := range []struct {
		name string
		q    float64
		d    *Duration
	}{{"p50", 0.5, p.P50}, {"p90", 0.9, p.P90}, {"p95", 0.95, p.P95}, {"p99", 0.99, p.P99}, {"p999", 0.999, p.P999}} {
		if c.d != nil {
			out = append(out, Quantile{Name: c.name, Q: c.q, Limit: c.d.Seconds()})
		}
	}
	return out
}

// UnmarshalYAML defaults the downtime of a Redis restart to 5s.
func (r *RedisRestart) UnmarshalYAML(unmarshal func(any) error) error {
	type plain RedisRestart
	v := plain{Downtime: D(5 * time.Second)}
	err := unmarshal(&v)
	*r = RedisRestart(v)
	return err
}

// validateSchedule: steps in increasing time within the scenario, on a
// policy with a count, each count within the policy's max.
func (s *Scenario) validateSchedule(e *Errors) {
	p := s.Fleet.Policy
	if len(p.Schedule) == 0 {
		return
	}
	limit := 0
	switch {
	case p.MinAvailable != nil && p.MinAvailable.Count != nil:
		limit = p.MinAvailable.Max
	case p.Buffer != nil && p.Buffer.Size != nil:
		limit = p.Buffer.Max
	default:
		e.add("fleet.policy.schedule", "needs a count policy (minAvailable.count or buffer.size)")
		return
	}
	if len(p.Schedule) > maxEvents {
		e.add("fleet.policy.schedule", "has %d steps, at most %d", len(p.Schedule), maxEvents)
		return
	}
	for i, st := range p.Schedule {
		path := fmt.Sprintf("fleet.policy.schedule[%d]", i)
		switch {
		case st.At.Duration < 0 || st.At.Duration >= s.Duration.Duration:
			e.add(path+".at", "must be within the scenario: at least 0 and before its duration (%s)", s.Duration)
		case i > 0 && st.At.Duration <= p.Schedule[i-1].At.Duration:
			e.add(path+".at", "must be after the step before (%s)", p.Schedule[i-1].At)
		}
		if st.Count < 0 || st.Count > maxCount || (limit > 0 && st.Count > limit) {
			e.add(path+".count", "must be between 0 and the policy's max (%d) and at most %d", limit, maxCount)
		}
	}
}

// validateHPA: an HPA serves the minAvailable rule on KEDA's polls, with
// Kubernetes' own bounds on its fields.
func (s *Scenario) validateHPA(e *Errors) {
	h := s.Fleet.HPA
	if h == nil {
		return
	}
	if s.Fleet.Policy.MinAvailable == nil {
		e.add("fleet.hpa", "models KEDA serving OpenKruiseGame's external scaler: it needs fleet.policy.minAvailable")
	}
	if d := h.SyncPeriod.Duration; d < 0 || d > 10*time.Minute || (d > 0 && d < time.Second) {
		e.add("fleet.hpa.syncPeriod", "must be between 1s and 10m (unset: 15s, Kubernetes' default)")
	}
	tolerance(e, "fleet.hpa.tolerance", h.Tolerance)
	for i, r := range []*HPARules{h.ScaleUp, h.ScaleDown} {
		if r == nil {
			continue
		}
		path := "fleet.hpa." + [2]string{"scaleUp", "scaleDown"}[i]
		tolerance(e, path+".tolerance", r.Tolerance)
		if w := r.StabilizationWindow.Duration; w < 0 || w > time.Hour {
			e.add(path+".stabilizationWindow", "must be between 0 and 1h (as Kubernetes)")
		}
		if r.SelectPolicy != "" {
			oneOfString(e, path+".selectPolicy", r.SelectPolicy, "Max", "Min", "Disabled")
		}
		if len(r.Policies) == 0 && r.SelectPolicy != "Disabled" {
			e.add(path+".policies", "must have at least one policy (or selectPolicy: Disabled)")
		}
		// The HPA weighs every policy on every poll.
		if len(r.Policies) > maxHPAPolicies {
			e.add(path+".policies", "has %d policies, at most %d", len(r.Policies), maxHPAPolicies)
			continue
		}
		for i, p := range r.Policies {
			pp := fmt.Sprintf("%s.policies[%d]", path, i)
			oneOfString(e, pp+".type", p.Type, "Pods", "Percent")
			if p.Value < 1 || p.Value > maxCount {
				e.add(pp+".value", "must be between 1 and %d", maxCount)
			}
			if d := p.Period.Duration; d < time.Second || d > 30*time.Minute {
				e.add(pp+".period", "must be between 1s and 30m (as Kubernetes)")
			}
		}
	}
}

// tolerance checks an HPA tolerance: a share of the replicas in [0, 1).
func tolerance(e *Errors, path string, t *float64) {
	if t != nil && (!(*t >= 0) || *t >= 1) {
		e.add(path, "must be in [0, 1)")
	}
}
