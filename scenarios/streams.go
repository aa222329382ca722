package scenarios

// The PCG streams, with the scenario's seed, that every random draw comes
// from. The model (sim) and the real run (loadgen) share the ones both
// draw from, so the same seed gives both the same arrivals, session
// lengths and client drops; the others are each engine's own. Keeping
// them apart lets a change of fleet policy leave the players untouched
// (common random numbers for sweeps and the sizing search).
const (
	// ArrivalStream: arrival times (both engines).
	ArrivalStream uint64 = 1 + iota
	// SessionStream: session lengths (both).
	SessionStream
	// StartupStream: pod startups (model).
	StartupStream
	// NodeStream: node provisioning and boot (model).
	NodeStream
	// ClientStream: which players drop and when (both, in arrival order).
	ClientStream
	// FailureStream: which rooms and nodes the model's timeline hits.
	FailureStream
	// TimelineStream: which rooms and nodes the real run's timeline hits.
	TimelineStream
	// BackoffStream: reconnect jitter, apart from ClientStream, whose draws
	// both engines make in the same order (a backoff drawn from it shifted
	// every later player's drop). The real run gives each player its own
	// sequence of it (see loadgen).
	BackoffStream
	// OverheadStream: a real run's claims, joins and handshakes drawn in
	// the model of that run.
	OverheadStream
)
