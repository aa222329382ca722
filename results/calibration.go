package results

// Calibration is what a real run adds to the scenario's delays that does
// not scale with speedup (process start, probe periods, API round trips,
// kwok's and Karpenter's stage lateness), measured from the run's own
// events and given in scenario seconds. The model of this run is the
// model with these added; the measurement is judged against it.
type Calibration struct {
	// PodStart is added to every pod's startup: the median measured
	// pod_startup less the scenario's median podStartup.
	PodStart Overhead `json:"podStart"`
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
