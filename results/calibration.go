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
	// Rejoin takes the place of Allocate when a displaced match (its room
	// crashed, drained or lost its node) is allocated again: the player's
	// refused dial to the lost room and the matchmaker's rejoin, which
	// claims the match's new room, measured on each reconnect that asked
	// for one. A storm's claims meet an API server busy replacing the lost
	// rooms, so they cost more than a quiet allocation's.
	Rejoin Overhead `json:"rejoin"`
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
	// Quantiles, for a whole stage the model does not have (a claim, a
	// join, a reconnect's handshake), is its measured distribution in
	// scenario seconds at q = 0, 1/(n−1), …, 1: the model of the run draws
	// each instance from it, so its tail is the run's, not the median's.
	Quantiles []float64 `json:"quantiles,omitempty"`
}

// Draw is an instance of the overhead for u uniform on [0, 1): its
// quantile function, linear between the recorded points, or Seconds when
// no distribution was recorded.
func (o Overhead) Draw(u float64) float64 {
	n := len(o.Quantiles)
	if n < 2 {
		return o.Seconds
	}
	x := u * float64(n-1)
	i := min(int(x), n-2)
	return o.Quantiles[i] + (x-float64(i))*(o.Quantiles[i+1]-o.Quantiles[i])
}

// Drawn reports whether the model draws the overhead from a distribution.
func (o Overhead) Drawn() bool { return len(o.Quantiles) >= 2 }
