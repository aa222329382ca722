package results

import "github.com/fleetbench/fleetbench/scenarios"

// Judge computes the SLO verdicts of a run, in a fixed order, from its
// metrics and counters; model and measured runs are judged alike.
func Judge(r *Run, slo scenarios.SLO) []Verdict {
	var out []Verdict
	percentiles := func(prefix, metric string, p scenarios.Percentiles) {
		m := r.Metrics[metric]
		for _, q := range p.List() {
			v, _ := m.Percentile(q.Name)
			vd := Verdict{SLO: prefix + "." + q.Name, Limit: q.Limit, Value: v, Pass: v <= q.Limit}
			if m.Count == 0 {
				vd.Pass, vd.Note = true, "no samples"
			}
			out = append(out, vd)
		}
	}
	percentiles("timeToRoom", TimeToRoom, slo.TimeToRoom)
	if f := slo.AllocationFailures; f != nil {
		failed := r.Counters[AllocationFailures]
		tries := r.Counters[Allocations] + failed
		v := Verdict{SLO: "allocationFailures.max", Limit: f.Max, Value: ratio(failed, tries)}
		v.Pass = v.Value <= f.Max
		if tries == 0 {
			v.Note = "no allocations"
		}
		out = append(out, v)
	}
	if s := slo.StateRecovery; s != nil {
		ok, failed := r.Counters[RecoveriesOK], r.Counters[RecoveriesFailed]
		v := Verdict{SLO: "stateRecovery.min", Limit: s.Min, Value: 1}
		if ok+failed > 0 {
			v.Value = ratio(ok, ok+failed)
		} else {
			v.Note = "no disrupted sessions"
		}
		v.Pass = v.Value >= s.Min
		out = append(out, v)
	}
	percentiles("autoscaleLag", AutoscaleLag, slo.AutoscaleLag)
	return out
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return round6(float64(a) / float64(b))
}
