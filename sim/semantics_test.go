package sim

import (
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// quarter is 25%, Kubernetes' default rolling-update bound.
var quarter = scenarios.IntOrPercent{IntOrPercent: policy.IntOrPercent{Value: 25, Percent: true}}

// world is a small steady scenario with nodes, no random disconnects.
func world(t *testing.T, edit func(*scenarios.Scenario)) *scenarios.Scenario {
	t.Helper()
	sc := scenarios.Default()
	sc.Name = "world"
	sc.Duration = scenarios.D(2 * time.Hour)
	sc.Arrivals.Segments = []scenarios.Segment{{Constant: &scenarios.Rate{Rate: 3}}}
	sc.Players.SessionLength = scenarios.Distribution{Lognormal: &scenarios.Lognormal{Median: scenarios.D(10 * time.Minute), Sigma: 0.3}}
	sc.Players.Disconnect.Probability = 0
	count := 20
	sc.Fleet.Policy = scenarios.Policy{MinAvailable: &scenarios.MinAvailable{Count: &count}}
	sc.Nodes.Initial = 12
	edit(sc)
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

// simulate runs the model and returns it for inspection with its run.
func simulate(t *testing.T, sc *scenarios.Scenario) (*model, *results.Run) {
	t.Helper()
	m, err := newModel(sc, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.run(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := m.rec.run(m)
	r.Summarize()
	return m, r
}

func TestRollingUpdateNeverDisplacesAllocatedRooms(t *testing.T) {
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Fleet.Update = scenarios.Update{RollingUpdate: &scenarios.RollingUpdate{
			MaxSurge: quarter, MaxUnavailable: quarter}}
		sc.Timeline = []scenarios.Event{{At: scenarios.D(time.Hour), RollingDeploy: &scenarios.RollingDeploy{Version: "v2"}}}
	})
	m, r := simulate(t, sc)
	if d := r.Counters[results.Disconnects]; d != 0 {
		t.Errorf("rolling update disconnected %d players; it must never delete an Allocated server", d)
	}
	if old := m.fleet.liveByVersion[0]; old != 0 {
		t.Errorf("%d v1 servers still live an hour after the deploy", old)
	}
	if len(r.Events) != 1 || r.Events[0].Kind != "rollingDeploy" {
		t.Errorf("events = %+v", r.Events)
	}
}

// TestDrainingRolloutDisplacesOldMatches: with drainAllocated every v1
// room in play is drained during the deploy, and its players reconnect.
func TestDrainingRolloutDisplacesOldMatches(t *testing.T) {
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Fleet.Update = scenarios.Update{RollingUpdate: &scenarios.RollingUpdate{DrainAllocated: true,
			MaxSurge: quarter, MaxUnavailable: quarter}}
		sc.Timeline = []scenarios.Event{{At: scenarios.D(time.Hour), RollingDeploy: &scenarios.RollingDeploy{Version: "v2"}}}
	})
	m, r := simulate(t, sc)
	d := r.Counters[results.Disconnects]
	// A session whose match would have ended before the reconnect has no outcome.
	if ok := r.Counters[results.RecoveriesOK]; d == 0 || ok == 0 || ok+r.Counters[results.RecoveriesFailed] > d {
		t.Errorf("counters %v: want disconnects from the drain, recovered", r.Counters)
	}
	if old := m.fleet.liveByVersion[0]; old != 0 {
		t.Errorf("%d v1 servers still live after a draining deploy", old)
	}
	// The storm sits at the deploy: no reconnects in the first hour.
	step := r.Series.Step.Seconds()
	for i, v := range r.Series.Values[results.SeriesReconnects] {
		if float64(i+1)*step <= 3600 && v > 0 {
			t.Fatalf("reconnects at %.0f s, before the deploy", float64(i)*step)
		}
	}
}

func TestOnDeleteLeavesExistingServers(t *testing.T) {
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Fleet.AfterMatch = "reuse"
		sc.Duration = scenarios.D(70 * time.Minute)
		sc.Timeline = []scenarios.Event{{At: scenarios.D(time.Hour), RollingDeploy: &scenarios.RollingDeploy{Version: "v2"}}}
	})
	m, _ := simulate(t, sc)
	if m.fleet.liveByVersion[0] == 0 {
		t.Error("OnDelete replaced the old servers; it must leave them alone")
	}
	if m.fleet.liveByVersion[1] == 0 {
		t.Error("no server of the new version was created after the deploy")
	}
}

func TestAllocationPrefersTheNewestVersion(t *testing.T) {
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Fleet.AfterMatch = "reuse"
		sc.Timeline = []scenarios.Event{{At: scenarios.D(time.Hour), RollingDeploy: &scenarios.RollingDeploy{Version: "v2"}}}
	})
	m, err := newModel(sc, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.run(t.Context()); err != nil {
		t.Fatal(err)
	}
	// With reuse and OnDelete, old servers stay around; a match gets v2
	// whenever one is Ready, so v2's share of Allocated rooms must exceed
	// its share of live servers (they would be equal if version did not matter).
	var live, v2Live, alloc, v2Alloc int
	for _, s := range m.fleet.servers {
		if s.state == srvFree || s.state == srvDoomed {
			continue
		}
		live++
		if s.version == 1 {
			v2Live++
		}
		if s.state == srvAllocated {
			alloc++
			if s.version == 1 {
				v2Alloc++
			}
		}
	}
	allocShare, liveShare := float64(v2Alloc)/float64(alloc), float64(v2Live)/float64(live)
	if allocShare <= liveShare {
		t.Errorf("v2 holds %.2f of allocated rooms but %.2f of live servers: allocation does not prefer the newest version", allocShare, liveShare)
	}
}

func TestNodeLossAndCrashDisplaceAndRecover(t *testing.T) {
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Timeline = []scenarios.Event{
			{At: scenarios.D(time.Hour), NodeLoss: &scenarios.NodeLoss{Count: 2}},
			{At: scenarios.D(90 * time.Minute), Crash: &scenarios.Crash{Rooms: 3}},
		}
	})
	_, r := simulate(t, sc)
	c := r.Counters
	if c[results.Disconnects] < 3*10 {
		t.Errorf("disconnects = %d, want at least the 3 crashed rooms' 30 players", c[results.Disconnects])
	}
	if c[results.RecoveriesOK]+c[results.RecoveriesFailed] != c[results.Disconnects] {
		t.Errorf("every displaced player must end recovered or failed: %v", c)
	}
	if c[results.RecoveriesOK] == 0 || r.Metrics[results.ReconnectLatency].Count == 0 {
		t.Errorf("nobody recovered: %v", c)
	}
}

func TestRedisDowntimeLongerThanTheWindowFailsRecovery(t *testing.T) {
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Players.RecoveryWindow = scenarios.D(20 * time.Second)
		sc.Timeline = []scenarios.Event{
			{At: scenarios.D(time.Hour), RedisRestart: &scenarios.RedisRestart{Downtime: scenarios.D(time.Minute)}},
			{At: scenarios.D(time.Hour + time.Second), Crash: &scenarios.Crash{Rooms: 2}},
		}
	})
	_, r := simulate(t, sc)
	if ok, failed := r.Counters[results.RecoveriesOK], r.Counters[results.RecoveriesFailed]; ok != 0 || failed == 0 {
		t.Errorf("recoveries ok %d failed %d: with Redis down past the window none may recover", ok, failed)
	}
	if r.Counters["recoveries_failed_window_expired"] == 0 {
		t.Error("failures not attributed to the expired window")
	}
}

func TestBurstScalesNodesWithinMaxAndMeasuresLag(t *testing.T) {
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Arrivals.Segments = []scenarios.Segment{
			{For: &scenarios.Duration{Duration: 30 * time.Minute}, Constant: &scenarios.Rate{Rate: 1}},
			{Burst: &scenarios.Burst{Extra: 20, Width: scenarios.D(10 * time.Minute)}},
		}
		sc.Nodes.Initial, sc.Nodes.Max = 4, 40
	})
	_, r := simulate(t, sc)
	if r.Counters[results.NodesAdded] == 0 {
		t.Fatal("a burst added no nodes")
	}
	for _, n := range r.Series.Values[results.SeriesNodes] {
		if n > 40 {
			t.Fatalf("nodes reached %g, above max 40", n)
		}
	}
	lag := r.Metrics[results.AutoscaleLag]
	// provision 5s + boot ≥ 80s + batch: nothing faster is possible.
	if lag.Count == 0 || lag.Min < 85 {
		t.Errorf("autoscale lag %+v: want samples, none below provision + minimum boot (85 s)", lag)
	}
	if r.Counters[results.NodesRemoved] == 0 {
		t.Error("empty nodes were never consolidated after the burst")
	}
}

func TestMatchTimeoutPolicies(t *testing.T) {
	slow := func(onTimeout string) *scenarios.Scenario {
		return world(t, func(sc *scenarios.Scenario) {
			sc.Arrivals.Segments = []scenarios.Segment{{Constant: &scenarios.Rate{Rate: 0.1}}}
			sc.Players.OnTimeout = scenarios.OnTimeout(onTimeout)
		})
	}
	_, start := simulate(t, slow("start"))
	_, requeue := simulate(t, slow("requeue"))
	// 10 players at 0.1/s take ~100 s: "start" starts short-handed at 30 s.
	// HdrHistogram keeps 3 significant digits: allow its resolution.
	if mw := start.Metrics[results.MatchWait]; mw.Max > 30*1.001 {
		t.Errorf("start: a player waited %g s for a match, beyond the 30 s timeout", mw.Max)
	}
	if start.Counters[results.Matches] <= requeue.Counters[results.Matches] {
		t.Errorf("start made %d matches, requeue %d: short-handed starts must make more", start.Counters[results.Matches], requeue.Counters[results.Matches])
	}
	if mw := requeue.Metrics[results.MatchWait]; mw.Max <= 30 {
		t.Errorf("requeue: max match wait %g s, want players waiting past the timeout for a full match", mw.Max)
	}
}

func TestIdleTimeoutHoldsSurplusServers(t *testing.T) {
	run := func(idle time.Duration) *results.Run {
		sc := world(t, func(sc *scenarios.Scenario) {
			sc.Arrivals.Segments = []scenarios.Segment{
				{For: &scenarios.Duration{Duration: 30 * time.Minute}, Constant: &scenarios.Rate{Rate: 5}},
				{Constant: &scenarios.Rate{Rate: 0.5}},
			}
			sc.Fleet.AfterMatch = "reuse"
			sc.Fleet.IdleTimeout = scenarios.D(idle)
		})
		_, r := simulate(t, sc)
		return r
	}
	short, long := run(time.Minute), run(time.Hour)
	if short.Cost.IdleServerSeconds >= long.Cost.IdleServerSeconds {
		t.Errorf("idle server-seconds: %g with a 1m idle timeout, %g with 1h: a longer timeout must keep more idle servers",
			short.Cost.IdleServerSeconds, long.Cost.IdleServerSeconds)
	}
}

// OpenKruiseGame's rule adds at most minAvailable servers per sync while
// recycled servers wait (WaitToBeDeleted) for the next pass; Agones'
// workload controller replaces a deleted server at once. Under demand far
// above the buffer, OpenKruiseGame allocates at most count per sync.
func TestSyncIntervalCapsOpenKruiseGameGrowth(t *testing.T) {
	five := 5
	base := func(p scenarios.Policy) *scenarios.Scenario {
		return world(t, func(sc *scenarios.Scenario) {
			sc.Duration = scenarios.D(time.Hour)
			sc.Arrivals.Segments = []scenarios.Segment{{Constant: &scenarios.Rate{Rate: 1}}}
			sc.Players.PerMatch = 1
			sc.Players.SessionLength = scenarios.Distribution{Fixed: &scenarios.Duration{Duration: 10 * time.Second}}
			sc.Fleet.Policy = p
			sc.Nodes.PodsPerNode = 0
		})
	}
	_, okg := simulate(t, base(scenarios.Policy{MinAvailable: &scenarios.MinAvailable{Count: &five}}))
	_, agones := simulate(t, base(scenarios.Policy{Buffer: &scenarios.Buffer{Size: &five}}))
	syncs := int64(time.Hour/(30*time.Second)) + 1
	if got := okg.Counters[results.Allocations]; got > 5*syncs || got < 4*syncs {
		t.Errorf("OpenKruiseGame allocated %d in %d syncs; the rule allows at most 5 per sync", got, syncs)
	}
	if got := agones.Counters[results.Allocations]; got <= 5*syncs {
		t.Errorf("Agones allocated %d: its workload replaces recycled servers at once, so it must beat the %d of a 5-per-sync cap", got, 5*syncs)
	}
}

// A displaced match that finds no server fails its players' recoveries;
// it is not an allocation failure (its allocation once succeeded).
func TestDisplacedMatchFailureIsARecoveryFailure(t *testing.T) {
	three := 3
	sc := world(t, func(sc *scenarios.Scenario) {
		sc.Duration = scenarios.D(20 * time.Minute)
		sc.Arrivals.Segments = []scenarios.Segment{{For: &scenarios.Duration{Duration: 5 * time.Minute}, Constant: &scenarios.Rate{Rate: 2}}, {Constant: &scenarios.Rate{}}}
		sc.Players.Allocation.OnNoServer = "fail"
		// A fixed fleet of three: all allocated by the crash, no spare after.
		sc.Fleet.Policy = scenarios.Policy{Buffer: &scenarios.Buffer{Size: &three, Max: 3}}
		sc.Timeline = []scenarios.Event{{At: scenarios.D(6 * time.Minute), Crash: &scenarios.Crash{Rooms: 3}}}
	})
	_, r := simulate(t, sc)
	c := r.Counters
	// Fresh matches beyond the three rooms failed; so did every crashed
	// room's re-allocation (no Ready spare at the crash).
	if c[results.AllocationFailures] != c[results.Matches]-c[results.Allocations] {
		t.Errorf("allocation failures %d, want matches − allocations = %d", c[results.AllocationFailures], c[results.Matches]-c[results.Allocations])
	}
	if c["recoveries_failed_no_server"] == 0 || c["recoveries_failed_no_server"] != c[results.Disconnects] {
		t.Errorf("recoveries failed for want of a server = %d, disconnects %d: the crashed rooms' players must all fail recovery", c["recoveries_failed_no_server"], c[results.Disconnects])
	}
}

// TestScaleDownTakesOldVersionsFirst: under OnDelete nothing replaces the
// rooms of an old version but a scale-down, which takes them first (as
// fleetd does): 10 old rooms, 10 new ones added after the deploy, then the
// count back to 10 — the rooms left are the new ones.
func TestScaleDownTakesOldVersionsFirst(t *testing.T) {
	sc := world(t, func(sc *scenarios.Scenario) {
		ten := 10
		sc.Arrivals.Segments = []scenarios.Segment{{Constant: &scenarios.Rate{Rate: 0.01}}}
		sc.Fleet.Policy = scenarios.Policy{MinAvailable: &scenarios.MinAvailable{Count: &ten},
			Schedule: []scenarios.ScheduleStep{{At: scenarios.D(70 * time.Minute), Count: 20}, {At: scenarios.D(100 * time.Minute), Count: 10}}}
		sc.Fleet.AfterMatch = scenarios.Reuse
		sc.Fleet.IdleTimeout = scenarios.D(0)
		sc.Fleet.Update = scenarios.Update{OnDelete: &struct{}{}}
		sc.Timeline = []scenarios.Event{{At: scenarios.D(time.Hour), RollingDeploy: &scenarios.RollingDeploy{Version: "v2"}}}
	})
	m, _ := simulate(t, sc)
	if old, current := m.fleet.liveByVersion[0], m.fleet.liveByVersion[1]; old != 0 || current < 10 {
		t.Errorf("after the scale-down: %d old rooms and %d new, want 0 old (the scale-down takes them first)", old, current)
	}
}
