package policy

import "math"

// ScalerStatus is what OpenKruiseGame's KEDA external scaler reads from
// a GameServerSet and its pods.
type ScalerStatus struct {
	Replicas        int // spec.replicas
	Pods            int // pods the set owns, terminating included
	None            int // pods in opsState None, Ready or not
	WaitToBeDeleted int // pods in opsState WaitToBeDeleted, not yet deleting
	WaitingRequests int // read only by the demand-aware variant (CountWaiting)
}

// ScalerAsk is the replica count kruise-game's external scaler returns
// to KEDA (pkg/externalscaler GetMetrics, v1.0.0), which the HPA reads as
// an AverageValue metric of target 1: while fewer than minAvailable pods
// are None it asks for the missing ones on top of spec.replicas, and
// WaitToBeDeleted pods stay counted; once enough are None it asks for
// spec.replicas less the WaitToBeDeleted pods; else for spec.replicas.
// Idle None pods are never scaled down by minAvailable (only kruise's
// maxAvailable does that, which the model does not have).
func (p MinAvailable) ScalerAsk(s ScalerStatus) int {
	none := s.None
	if p.CountWaiting {
		none -= s.WaitingRequests
	}
	want := p.Count
	if p.UseFraction {
		// handleMinNum: the fraction is parsed as a float32 and the
		// missing count rounded to hundredths before its ceiling.
		f := float64(float32(p.Fraction))
		delta := (float64(s.Pods)*f - float64(none)) / (1 - f)
		want = 0
		if delta > 0 {
			want = int(math.Ceil(math.Round(delta*100)/100)) + none
		}
	}
	switch {
	case none < want:
		return s.Replicas + want - none
	case s.WaitToBeDeleted > 0:
		return s.Replicas - s.WaitToBeDeleted
	}
	return s.Replicas
}
