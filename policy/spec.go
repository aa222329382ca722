package policy

// BufferSpec is a buffer policy as plain values: what a scenario's
// fleet.policy says and what fleetd's flags carry. Buffer turns it into
// the rule both engines run, so the two cannot read it differently.
type BufferSpec struct {
	// Agones selects Agones' buffer; else OpenKruiseGame's minAvailable.
	Agones bool
	// Count is minAvailable's count or the buffer's size; Share, when
	// UseShare, minAvailable's fraction or the buffer's percent instead.
	Count        int
	Share        float64
	UseShare     bool
	Min, Max     int // Min: the buffer's fewest replicas; Max: most live (0: none)
	CountWaiting bool
}

// Buffer is the policy the spec describes.
func (s BufferSpec) Buffer() Buffer {
	if s.Agones {
		return AgonesBuffer{Size: s.Count, Percent: s.Share, UsePercent: s.UseShare, Min: s.Min, Max: s.Max, CountWaiting: s.CountWaiting}
	}
	return MinAvailable{Count: s.Count, Fraction: s.Share, UseFraction: s.UseShare, Max: s.Max, CountWaiting: s.CountWaiting}
}

// Initial is how many servers the policy keeps before any player comes:
// its answer for an empty fleet.
func (s BufferSpec) Initial() int {
	return s.Buffer().Desired(FleetStatus{})
}
