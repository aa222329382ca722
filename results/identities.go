package results

import (
	"errors"
	"fmt"
)

// Identities checks what must hold between a run's counters, in a model
// and in a measured run alike (see the counter names' definitions): every
// match is allocated, failed, or still waiting at the end; a wait is a
// match's; every disconnect is recovered, failed with its reason, or
// ended with its session; a reconnect is a recovered session; every player
// who got a room has a time to room; each allocation one alloc_wait.
func (r *Run) Identities() error {
	c := r.Counters
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c[Allocations]+c[AllocationFailures] <= c[Matches], "allocations (%d) + allocation_failures (%d) > matches (%d)",
		c[Allocations], c[AllocationFailures], c[Matches])
	check(c[AllocationWaits] <= c[Matches], "allocation_waits (%d) > matches (%d)", c[AllocationWaits], c[Matches])
	check(c[RecoveriesOK]+c[RecoveriesFailed] <= c[Disconnects], "recoveries_ok (%d) + recoveries_failed (%d) > disconnects (%d)",
		c[RecoveriesOK], c[RecoveriesFailed], c[Disconnects])
	check(c[Reconnects] == c[RecoveriesOK], "reconnects (%d) ≠ recoveries_ok (%d)", c[Reconnects], c[RecoveriesOK])
	check(r.Metrics[TimeToRoom].Count <= c[Players], "time_to_room has %d samples for %d players", r.Metrics[TimeToRoom].Count, c[Players])
	if m := r.Metrics[AllocWait]; m.Count != 0 || c[Allocations] != 0 {
		check(m.Count == c[Allocations], "alloc_wait has %d samples for %d allocations (one per match)", m.Count, c[Allocations])
	}
	if m := r.Metrics[ReconnectLatency]; m.Count != 0 || c[RecoveriesOK] != 0 {
		check(m.Count == c[RecoveriesOK], "reconnect_latency has %d samples for %d recoveries", m.Count, c[RecoveriesOK])
	}
	return errors.Join(errs...)
}
