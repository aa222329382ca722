package policy

import (
	"fmt"
	"slices"
	"testing"
)

func TestMinAvailable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    MinAvailable
		s    FleetStatus
		want int
	}{
		{"enough none", MinAvailable{Count: 5}, FleetStatus{Live: 10, None: 5, Allocated: 5}, 10},
		{"short by 3: desired = live + (min − none)", MinAvailable{Count: 5}, FleetStatus{Live: 10, None: 2, Allocated: 8}, 13},
		{"surplus asks for fewer", MinAvailable{Count: 5}, FleetStatus{Live: 20, None: 9, Allocated: 11}, 16},
		{"fraction of live, rounded up", MinAvailable{Fraction: 0.25, UseFraction: true}, FleetStatus{Live: 10, None: 1, Allocated: 9}, 12},
		{"max caps", MinAvailable{Count: 5, Max: 11}, FleetStatus{Live: 10, None: 2, Allocated: 8}, 11},
		{"waiting counts as demand", MinAvailable{Count: 5, CountWaiting: true}, FleetStatus{Live: 10, None: 5, Allocated: 5, WaitingRequests: 2}, 12},
		{"waiting ignored by the plain rule", MinAvailable{Count: 5}, FleetStatus{Live: 10, None: 5, Allocated: 5, WaitingRequests: 2}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Desired(tc.s); got != tc.want {
				t.Errorf("Desired(%+v) = %d, want %d", tc.s, got, tc.want)
			}
		})
	}
}

func TestAgonesBuffer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    AgonesBuffer
		s    FleetStatus
		want int
	}{
		{"allocated + size", AgonesBuffer{Size: 5}, FleetStatus{Allocated: 12}, 17},
		{"percent: ceil(allocated·100/(100−pct))", AgonesBuffer{Percent: 10, UsePercent: true}, FleetStatus{Allocated: 12}, 14},
		{"min floor", AgonesBuffer{Size: 2, Min: 10}, FleetStatus{Allocated: 3}, 10},
		{"max cap", AgonesBuffer{Size: 5, Max: 15}, FleetStatus{Allocated: 12}, 15},
		{"demand-aware adds waiting", AgonesBuffer{Size: 5, CountWaiting: true}, FleetStatus{Allocated: 12, WaitingRequests: 3}, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Desired(tc.s); got != tc.want {
				t.Errorf("Desired(%+v) = %d, want %d", tc.s, got, tc.want)
			}
		})
	}
}

func TestDeletionOrder(t *testing.T) {
	t.Parallel()
	cs := []Candidate{
		{OpsState: Maintaining, Scheduled: true, Ready: true, Index: 9},
		{OpsState: Allocated, Scheduled: true, Ready: true, Index: 8},
		{OpsState: None, Scheduled: true, Ready: true, Index: 1},
		{OpsState: None, Scheduled: true, Ready: true, Index: 7},
		{OpsState: None, Scheduled: true, Ready: true, Priority: -5, Index: 0},
		{OpsState: None, Scheduled: true, Ready: false, Index: 2},
		{OpsState: None, Scheduled: false, Index: 3},
		{OpsState: WaitToBeDeleted, Scheduled: true, Ready: true, Index: 4},
		{OpsState: Kill, Scheduled: true, Ready: true, Index: 5},
	}
	SortForDeletion(cs)
	var got []int
	for _, c := range cs {
		got = append(got, c.Index)
	}
	if want := "[5 4 3 2 0 7 1 8 9]"; fmt.Sprint(got) != want {
		t.Errorf("deletion order by index = %v, want %s", got, want)
	}
	if DeletionCost(WaitToBeDeleted) >= DeletionCost(None) || DeletionCost(None) >= DeletionCost(Allocated) {
		t.Error("deletion cost does not follow the deletion order")
	}
	if Deletable(Allocated) || !Deletable(None) {
		t.Error("Allocated must never be deletable; None must be")
	}
}

func TestRollingStep(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                string
		r                   Rollout
		surge, unav         int
		create, dele, drain int
	}{
		{"start: surge and drop idle old", Rollout{Desired: 20, Old: 20, Available: 20, OldIdle: 10}, 5, 5, 5, 5, 0},
		{"new not ready yet: surge again, delete nothing", Rollout{Desired: 20, New: 5, Old: 15, Available: 15, OldIdle: 5}, 5, 5, 5, 0, 0},
		{"new ready: continue", Rollout{Desired: 20, New: 5, Old: 15, Available: 20, OldIdle: 5}, 5, 5, 5, 5, 0},
		{"allocated old servers are never deleted", Rollout{Desired: 20, New: 15, Old: 10, Available: 25, OldAllocated: 10}, 5, 5, 0, 0, 0},
		{"maxSurge 0 deletes before creating", Rollout{Desired: 4, Old: 4, Available: 4, OldIdle: 4}, 0, 1, 0, 1, 0},
		{"done", Rollout{Desired: 20, New: 20, Available: 20}, 5, 5, 0, 0, 0},
		{"drain: allocated old servers go within the budget", Rollout{Desired: 20, New: 15, Old: 10, Available: 22, OldAllocated: 10, DrainAllocated: true}, 5, 5, 0, 0, 7},
		{"drain: idle old servers go first", Rollout{Desired: 20, New: 5, Old: 15, Available: 20, OldIdle: 3, OldAllocated: 12, DrainAllocated: true}, 5, 5, 5, 3, 2},
		{"drain: nothing while new servers start", Rollout{Desired: 20, New: 5, Old: 15, Available: 15, OldAllocated: 15, DrainAllocated: true}, 5, 5, 5, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := RollingStep(tc.r, tc.surge, tc.unav)
			if st.Create != tc.create || st.DeleteOld != tc.dele || st.DrainOld != tc.drain {
				t.Errorf("RollingStep(%+v) = %+v, want create %d delete %d drain %d", tc.r, st, tc.create, tc.dele, tc.drain)
			}
		})
	}
}

func TestRoomChoice(t *testing.T) {
	t.Parallel()
	old := Room{Version: 1, NodeLoad: 6, Index: 1}
	newBusy := Room{Version: 2, NodeLoad: 5, Index: 2}
	newIdle := Room{Version: 2, NodeLoad: 0, Index: 3}
	if !BetterRoom(newIdle, old, Packed) {
		t.Error("newest version must come first")
	}
	if !BetterRoom(newBusy, newIdle, Packed) || BetterRoom(newBusy, newIdle, Distributed) {
		t.Error("packed prefers the busiest node, distributed the idlest")
	}
	if !BetterNode(5, 2, Packed) || !BetterNode(2, 5, Distributed) {
		t.Error("scheduling does not follow the strategy")
	}
}

// A scale-down takes old versions first, then the deletion order.
func TestScaleDownTakesOldVersionsFirst(t *testing.T) {
	cs := []Candidate{
		{OpsState: None, Ready: true, Scheduled: true, Index: 9},
		{OpsState: None, Ready: true, Scheduled: true, Index: 1, Old: true},
		{OpsState: None, Scheduled: true, Index: 5},
	}
	slices.SortStableFunc(cs, CompareScaleDown)
	if got := []int{cs[0].Index, cs[1].Index, cs[2].Index}; !slices.Equal(got, []int{1, 5, 9}) {
		t.Errorf("order %v, want the old room 1, then not-Ready 5, then 9", got)
	}
}
