package scenarios

import "github.com/fleetbench/fleetbench/policy"

// Spec is the buffer policy as the shared rules read it; the model, the
// stack's settings and the real run's start all go through it.
func (p Policy) Spec() policy.BufferSpec {
	s := policy.BufferSpec{CountWaiting: p.CountWaiting}
	switch {
	case p.MinAvailable != nil:
		s.Max = p.MinAvailable.Max
		if p.MinAvailable.Fraction != nil {
			s.Share, s.UseShare = *p.MinAvailable.Fraction, true
		} else if p.MinAvailable.Count != nil {
			s.Count = *p.MinAvailable.Count
		}
	case p.Buffer != nil:
		s.Agones, s.Min, s.Max = true, p.Buffer.Min, p.Buffer.Max
		if p.Buffer.Percent != nil {
			s.Share, s.UseShare = *p.Buffer.Percent, true
		} else if p.Buffer.Size != nil {
			s.Count = *p.Buffer.Size
		}
	}
	return s
}

// Placement is the room choice a scheduling setting asks for.
func (s Scheduling) Placement() policy.Placement {
	if s == Distributed {
		return policy.Distributed
	}
	return policy.Packed
}
