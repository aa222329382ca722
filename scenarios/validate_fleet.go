package scenarios

import "time"

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
	period(e, "fleet.syncInterval", f.SyncInterval)
	distribution(e, "fleet.podStartup", f.PodStartup)
	oneOfString(e, "fleet.afterMatch", f.AfterMatch, "recycle", "reuse")
	nonNegativeDuration(e, "fleet.idleTimeout", f.IdleTimeout)
	oneOfString(e, "fleet.scheduling", f.Scheduling, "packed", "distributed")
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
