package guard

import (
	"fmt"
	"runtime"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// What the stack and the players cost, measured on a 2-core Debian 12 VM
// (AMD EPYC) by `make bench-stack` (BenchmarkRoomCapacity) and `make
// bench-loadgen` (BenchmarkStreamVsK6, BenchmarkDecodeState). A faster
// host carries more than Fit says; the run's own check then says whether
// it was valid.
const (
	// roomTickCost is one room tick, whatever the room's size: the room
	// server's ~0.7 ms (the Redis round trip, encoding, the timer) and
	// Redis's ~0.25 ms.
	roomTickCost = 950 * time.Microsecond
	// stateSendCost is one state written to one player (a shared frame).
	stateSendCost = 25 * time.Microsecond
	// stateRecvFixed and stateRecvPerKB are one state received and
	// decoded by a player: 58.6 µs for a match of 50's 2.3 KB, of which
	// decoding is 17 µs and grows with the size.
	stateRecvFixed = 41600 * time.Nanosecond
	stateRecvPerKB = 7400 * time.Nanosecond
	// bytesPerPlayer and bytesPerState are the room server's own state:
	// a match of 50's is 2,310 bytes.
	bytesPerPlayer = 45
	bytesPerState  = 60
)

// Fit is a run's expected CPU at its peak against this host's cores, from
// the scenario alone: the players in the game at once (sim.Estimate), in
// rooms of players.perMatch, each sent fleet.room's state at its tick rate.
type Fit struct {
	Sessions   float64 // players in the game at once, at the peak
	Rooms      float64
	TickRate   float64 // states a second, to every player
	StateBytes int
	// RoomCores and PlayerCores are the rooms' (with Redis) and the
	// players' CPU on this host; 0 for a side that runs elsewhere.
	RoomCores, PlayerCores float64
	Cores                  int // this host's
}

// Expect is sc's expected load; stackHere and playersHere say which sides
// run on this host (a local or kind cluster is this host; players run in
// this process or in workers on such a cluster).
func Expect(sc *scenarios.Scenario, stackHere, playersHere bool) Fit {
	f := Fit{Sessions: sim.Estimate(sc).Concurrent, TickRate: sc.RoomTickRate(), Cores: runtime.NumCPU()}
	per := max(sc.Players.PerMatch, 1)
	f.Rooms = f.Sessions / float64(per)
	f.StateBytes = bytesPerPlayer*per + bytesPerState
	if r := sc.Fleet.Room; r != nil && r.StateBytes > f.StateBytes {
		f.StateBytes = r.StateBytes
	}
	states := f.Sessions * f.TickRate // sent, and received, per second
	if stackHere {
		f.RoomCores = f.Rooms*f.TickRate*roomTickCost.Seconds() + states*stateSendCost.Seconds()
	}
	if playersHere {
		f.PlayerCores = states * (stateRecvFixed.Seconds() + stateRecvPerKB.Seconds()*float64(f.StateBytes)/1024)
	}
	return f
}

// Share is the expected CPU over what the guard lets a run use of this
// host (cpuShareLimit of its cores): above 1 the run cannot be valid.
func (f Fit) Share() float64 {
	return (f.RoomCores + f.PlayerCores) / (float64(f.Cores) * cpuShareLimit)
}

func (f Fit) String() string {
	return fmt.Sprintf("≈%.0f players in the game at once in %.3g rooms, sent %g states a second of %d bytes: "+
		"≈%.2f cores for the rooms and Redis and ≈%.2f for the players, against %.1f of this host's %d cores (%.0f%%)",
		f.Sessions, f.Rooms, f.TickRate, f.StateBytes, f.RoomCores, f.PlayerCores, float64(f.Cores)*cpuShareLimit, f.Cores, cpuShareLimit*100)
}
