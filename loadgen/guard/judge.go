package guard

import "github.com/fleetbench/fleetbench/results"

// Late is how far behind its due time an arrival or an input may start
// before it counts as late: the model check's wall-clock floor (its
// smallest allowed error is 50 ms), and one tick of a 20 Hz room.
const Late = 0.050

// Limits, each with why it is where it is. They are stated in the run
// (results.HarnessCheck.Why) and in docs/loadgen.md.
const (
	// lateShare: at most 1% of arrivals (and of inputs) late, i.e. their
	// p99 lateness within Late. Time to room counts from the intended
	// arrival, so a player started late adds its lateness to what the
	// fleet is judged by.
	lateShare = 0.01
	// schedP99Limit: a runnable goroutine (a player's reader, its timer,
	// the pacer) that waits 10 ms for a CPU at p99 is the process
	// queueing on its own CPUs: a fifth of a 20 Hz tick.
	schedP99Limit = 0.010
	// cpuShareLimit: a load generator using 90% of the CPU it may use,
	// on average over the run, has no headroom for its bursts (an arrival
	// burst, a reconnect storm).
	cpuShareLimit = 0.9
	// pressureLimit: Linux's CPU pressure (some task waiting for a CPU)
	// over half the run's wall time means the host's processes, the
	// stack's own on a local cluster, queued for the CPUs most of the time.
	pressureLimit = 0.5
	// stealLimit: a hypervisor taking a tenth of the CPU makes every
	// latency the host's, not the fleet's.
	stealLimit = 0.10
	// apiP99Limit: the API server's /readyz answering slower than a
	// second at p99 means the control plane was saturated: the pod and
	// node times the observer reads lag with it.
	apiP99Limit = 1.0
)

// Players is what the players measured of their own lateness.
type Players struct {
	Arrivals, ArrivalsLate uint64 // arrivals, and those started more than Late behind schedule
	Inputs, InputsLate     uint64 // inputs sent, and those sent more than Late after due
	APIP99                 float64
	HaveAPI                bool // the API server was probed
	// RoomTicks and RoomTicksLate are the room servers' ticks and those
	// run a whole period late or dropped (HaveRooms: any room was read).
	RoomTicks, RoomTicksLate float64
	HaveRooms                bool
}

// Judge checks the figures against the limits; fit (nil: not estimated)
// is the run's expected load, judged too: a run started over it
// (--allow-saturated) is invalid from the start.
func Judge(f Figures, p Players, fit *Fit) *results.Harness {
	h := &results.Harness{Valid: true}
	add := func(name string, v, limit float64, unit, why string) {
		c := results.HarnessCheck{Name: name, Value: v, Limit: limit, Unit: unit, Over: v > limit, Why: why}
		h.Checks = append(h.Checks, c)
		if c.Over {
			h.Valid = false
		}
	}
	if fit != nil {
		add("expected_load", fit.Share(), 1, "of the host", "the CPU the scenario needs at its peak, from the benches' costs, over 90% of this host's cores: "+fit.String())
	}
	if p.Arrivals > 0 {
		add("arrivals_late", float64(p.ArrivalsLate)/float64(p.Arrivals), lateShare, "fraction",
			"share of arrivals started over 50 ms behind schedule: time to room counts from the intended arrival")
	}
	if p.Inputs > 0 {
		add("inputs_late", float64(p.InputsLate)/float64(p.Inputs), lateShare, "fraction",
			"share of inputs sent over 50 ms after due: the players did not run when due")
	}
	if f.HaveProcess {
		add("sched_latency_p99", f.SchedP99, schedP99Limit, "s", "runnable goroutines of the players' process (with workers, the worst worker's) waited this long for a CPU")
	}
	if f.HaveSample {
		if f.HaveProcess {
			add("loadgen_cpu", f.CPUShare, cpuShareLimit, "of its CPUs", "the players' process's mean CPU (with workers, the busiest worker's) over what GOMAXPROCS allows")
		}
		if f.HavePressure {
			add("host_cpu_pressure", f.CPUPressure, pressureLimit, "fraction", "wall time some task waited for a CPU (/proc/pressure/cpu): the host's processes queued for the CPUs")
		}
	}
	if f.HaveSteal {
		add("host_steal", f.Steal, stealLimit, "fraction", "CPU time the hypervisor took")
	}
	if p.HaveRooms && p.RoomTicks > 0 {
		add("room_ticks_late", p.RoomTicksLate/p.RoomTicks, lateShare, "fraction",
			"room ticks run a whole period late or dropped: the stack's host, not the game, delayed the states")
	}
	if p.HaveAPI {
		add("api_server_p99", p.APIP99, apiP99Limit, "s", "the API server's /readyz latency: the control plane was saturated")
	}
	return h
}
