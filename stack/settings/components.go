package settings

import (
	"flag"
	"time"

	"github.com/fleetbench/fleetbench/internal/dist"
	"github.com/fleetbench/fleetbench/policy"
)

// Fleetd is the fleet controller's configuration.
type Fleetd struct {
	Policy PolicyKind
	// Count is minAvailable's count or the buffer's size; Fraction, when
	// above 0, minAvailable's fraction or the buffer's percent instead.
	Count                     int
	Fraction                  float64
	Min, Max                  int
	CountWaiting              bool
	SyncInterval, IdleTimeout time.Duration
	Update                    UpdateKind
	MaxSurge, MaxUnavailable  policy.IntOrPercent
	DrainAllocated            bool
	DrainedFor                time.Duration
}

// DefaultFleetd is fleetd without flags.
func DefaultFleetd() Fleetd {
	quarter := policy.IntOrPercent{Value: 25, Percent: true}
	return Fleetd{Policy: MinAvailable, Count: 10, Update: Rolling, MaxSurge: quarter, MaxUnavailable: quarter}
}

// Register binds f's fields to fleetd's flags, f's values as defaults.
func (f *Fleetd) Register(fs *flag.FlagSet) {
	fs.TextVar(&f.Policy, "policy", f.Policy, "minAvailable (OpenKruiseGame) or buffer (Agones)")
	fs.IntVar(&f.Count, "count", f.Count, "minAvailable count, or buffer size")
	fs.Float64Var(&f.Fraction, "fraction", f.Fraction, "minAvailable fraction of live servers, or buffer percent (overrides --count)")
	fs.IntVar(&f.Min, "min", f.Min, "buffer: fewest replicas")
	fs.IntVar(&f.Max, "max", f.Max, "most live servers (0: no cap)")
	fs.BoolVar(&f.CountWaiting, "count-waiting", f.CountWaiting, "demand-aware: count matches waiting for a room (asked of the matchmaker)")
	fs.DurationVar(&f.SyncInterval, "sync-interval", f.SyncInterval, "act on this tick only (0: on every change)")
	fs.DurationVar(&f.IdleTimeout, "idle-timeout", f.IdleTimeout, "minAvailable: delete a surplus None room only after idling this long")
	fs.TextVar(&f.Update, "update", f.Update, "rolling or ondelete")
	fs.Var(intOrPercent{&f.MaxSurge}, "max-surge", "rolling update: extra servers (count or %)")
	fs.Var(intOrPercent{&f.MaxUnavailable}, "max-unavailable", "rolling update: servers short of desired (count or %)")
	fs.BoolVar(&f.DrainAllocated, "drain-allocated", f.DrainAllocated, "rolling update: drain old-version rooms in play too (their players reconnect to new rooms)")
	fs.DurationVar(&f.DrainedFor, "drained-for", f.DrainedFor, "rolling update: a drained match counts as in play until it has a new room, this long at most")
}

// Args is the command line that gives fleetd f.
func (f Fleetd) Args() []string {
	var a args
	a.add("policy", string(f.Policy))
	a.add("count", f.Count)
	a.add("fraction", f.Fraction)
	a.add("min", f.Min)
	a.add("max", f.Max)
	a.add("count-waiting", f.CountWaiting)
	a.add("sync-interval", f.SyncInterval)
	a.add("idle-timeout", f.IdleTimeout)
	a.add("update", string(f.Update))
	a.add("max-surge", f.MaxSurge)
	a.add("max-unavailable", f.MaxUnavailable)
	a.add("drain-allocated", f.DrainAllocated)
	a.add("drained-for", f.DrainedFor)
	return a
}

// Matchmaker is the matchmaker's match and allocation rules.
type Matchmaker struct {
	PerMatch                   int
	MatchTimeout, AllocTimeout time.Duration
	OnTimeout                  OnTimeout
	OnNoServer                 OnNoServer
	Placement                  policy.Placement
	// Controller says where a claim is written: the pod's label (fleetd)
	// or its GameServer's spec.opsState (okg).
	Controller Controller
}

// DefaultMatchmaker is the matchmaker without flags.
func DefaultMatchmaker() Matchmaker {
	return Matchmaker{PerMatch: 4, AllocTimeout: 30 * time.Second, OnTimeout: StartShort, OnNoServer: Wait, Placement: policy.Packed,
		Controller: ByFleetd}
}

// Register binds m's fields to the matchmaker's flags.
func (m *Matchmaker) Register(fs *flag.FlagSet) {
	fs.IntVar(&m.PerMatch, "per-match", m.PerMatch, "players per match")
	fs.DurationVar(&m.MatchTimeout, "match-timeout", m.MatchTimeout, "start or requeue a short match after this wait (0: never)")
	fs.TextVar(&m.OnTimeout, "on-timeout", m.OnTimeout, "start or requeue")
	fs.TextVar(&m.OnNoServer, "on-no-server", m.OnNoServer, "wait (FIFO, up to --alloc-timeout) or fail (503)")
	fs.DurationVar(&m.AllocTimeout, "alloc-timeout", m.AllocTimeout, "how long a match waits for a room")
	fs.Var(placement{&m.Placement}, "placement", "room choice among equal versions: packed or distributed")
	fs.TextVar(&m.Controller, "controller", m.Controller, "the rooms' controller: fleetd (claims on the pod) or okg (on its OpenKruiseGame GameServer)")
}

// Args is the command line that gives the matchmaker m.
func (m Matchmaker) Args() []string {
	var a args
	a.add("per-match", m.PerMatch)
	a.add("match-timeout", m.MatchTimeout)
	a.add("on-timeout", string(m.OnTimeout))
	a.add("on-no-server", string(m.OnNoServer))
	a.add("alloc-timeout", m.AllocTimeout)
	a.add("placement", placement{&m.Placement})
	a.addController(m.Controller)
	return a
}

// RoomServer is a room server's match settings.
type RoomServer struct {
	Capacity   int
	AfterMatch AfterMatch
	Window     time.Duration
	Grace      time.Duration
	// Startup is drawn once, before the room first publishes None: the
	// scenario's pod startup where the cluster starts containers at once
	// (kind's preloaded images); the local runner realizes it itself.
	Startup dist.Sampler
	// Controller says where the room publishes its opsState.
	Controller Controller
	// IdleTimeout (okg only: fleetd times idle rooms itself): a room None
	// this long with no match marks itself WaitToBeDeleted, as an
	// OpenKruiseGame game server does; 0 never.
	IdleTimeout time.Duration
	// Tick is the state broadcast period; StateBytes pads a state message
	// up to this size (0: no padding): a game's own tick and state size.
	Tick       time.Duration
	StateBytes int
}

// DefaultRoomServer is the room server without flags.
func DefaultRoomServer() RoomServer {
	return RoomServer{Capacity: 4, AfterMatch: Reuse, Window: 30 * time.Second, Grace: 25 * time.Second, Controller: ByFleetd, Tick: 50 * time.Millisecond}
}

// Register binds r's fields to the room server's flags.
func (r *RoomServer) Register(fs *flag.FlagSet) {
	fs.IntVar(&r.Capacity, "capacity", r.Capacity, "players per match")
	fs.TextVar(&r.AfterMatch, "after-match", r.AfterMatch, "reuse (back to None) or recycle (WaitToBeDeleted)")
	fs.DurationVar(&r.Window, "window", r.Window, "session recovery window")
	fs.DurationVar(&r.Grace, "grace", r.Grace, "drain limit after SIGTERM (keep below the pod's grace period)")
	fs.TextVar(&r.Startup, "startup-delay", r.Startup, `wait a draw of this before taking players ("fixed 10s", "lognormal 8s 0.4", "uniform 1s 3s"): a pod startup the cluster does not realize`)
	fs.TextVar(&r.Controller, "controller", r.Controller, "the rooms' controller: fleetd (opsState on the pod) or okg (on its OpenKruiseGame GameServer)")
	fs.DurationVar(&r.IdleTimeout, "idle-timeout", r.IdleTimeout, "okg: mark the room WaitToBeDeleted after idling this long in None (0: never)")
	fs.DurationVar(&r.Tick, "tick", r.Tick, "state broadcast period")
	fs.IntVar(&r.StateBytes, "state-bytes", r.StateBytes, "pad each state message up to this many bytes (0: no padding)")
}

// Args is the command line that gives a room server r.
func (r RoomServer) Args() []string {
	var a args
	a.add("capacity", r.Capacity)
	a.add("after-match", string(r.AfterMatch))
	a.add("window", r.Window)
	a.add("grace", r.Grace)
	a.add("startup-delay", r.Startup)
	a.addController(r.Controller)
	a.add("idle-timeout", r.IdleTimeout)
	if r.Tick > 0 { // unset: the room server's own default
		a.add("tick", r.Tick)
	}
	a.add("state-bytes", r.StateBytes)
	return a
}

// Spec is the buffer policy fleetd's flags describe (a fraction or
// percent of 0 reads as the count, which is 0 too: the same rule).
func (f Fleetd) Spec() policy.BufferSpec {
	return policy.BufferSpec{Agones: f.Policy == Buffer, Count: f.Count, Share: f.Fraction, UseShare: f.Fraction > 0,
		Min: f.Min, Max: f.Max, CountWaiting: f.CountWaiting}
}

// SetSpec sets the flags that carry a buffer policy.
func (f *Fleetd) SetSpec(s policy.BufferSpec) {
	f.Policy, f.Min, f.Max, f.CountWaiting = MinAvailable, s.Min, s.Max, s.CountWaiting
	if s.Agones {
		f.Policy = Buffer
	}
	f.Count, f.Fraction = s.Count, 0
	if s.UseShare {
		f.Count, f.Fraction = 0, s.Share
	}
}
