package results

// Calibration is what a real run adds to the scenario's delays that does
// not scale with speedup (process start, probe periods, API round trips,
// kwok's and Karpenter's stage lateness), measured from the run's own
// events and given in scenario seconds. The model of this run is the
// model with these added; the measurement is judged against it.
type Calibration struct {
	// PodStart is added to every pod's startup: the median time from when
	// a room could run (its creation, or its node's Ready when it waited
	// for a node) to Ready, less the scenario's median podStartup. It
	// holds what pod_startup (bound → Ready) leaves out: the scheduler's
	// latency, which the model, binding at once, does not have.
	PodStart Overhead `json:"podStart"`
	// Allocate is added to every allocation: the matchmaker's claim of a
	// room through the API (a patch and its answer), the median alloc_wait
	// of the matches that found a Ready room at once. The model allocates
	// in no time.
	Allocate Overhead `json:"allocate"`
	// Join is added to every time to room: the player's WebSocket dial and
	// join handshake, the median connect.
	Join Overhead `json:"join"`
	// Reconnect is added to every successful reconnect: the last attempt's
	// dial, the room's read of the session from Redis and the
	// acknowledgement of the resent inputs (which comes with the room's
	// next tick), the median over the run's reconnects.
	Reconnect Overhead `json:"reconnect"`
	// NodeReady is added to every node's boot: the median time from a
	// scale-up's trigger to its node Ready, less the median the scenario
	// gives it (Karpenter's 1 s batch + provisionDelay + bootTime).
	NodeReady Overhead `json:"nodeReady"`
}

// Overhead is one calibrated delay.
type Overhead struct {
	// Seconds is the overhead in scenario seconds (wall seconds × speedup),
	// never negative.
	Seconds float64 `json:"seconds"`
	// Wall is the same in wall-clock seconds.
	Wall float64 `json:"wall"`
	// Samples is the number of measurements it is the median of (0: none
	// were made, and Seconds is 0).
	Samples int `json:"samples"`
}
