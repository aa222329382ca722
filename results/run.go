// Package results is the contract between the producers of runs (the
// model in sim, the real run in loadgen) and the reports: one Run type,
// written as JSON, with latency metrics in seconds backed by HdrHistograms.
package results

import "math"

// Sources of a run.
const (
	SourceModel    = "model"
	SourceMeasured = "measured"
)

// Metric names shared by the model and measured runs (values in seconds).
const (
	TimeToRoom       = "time_to_room"
	MatchWait        = "match_wait"
	AllocWait        = "alloc_wait"
	Connect          = "connect"
	ReconnectLatency = "reconnect_latency"
	AutoscaleLag     = "autoscale_lag"
	PodStartup       = "pod_startup"
	NodeBoot         = "node_boot"
)

// Counter names: what each counts, the same in a model and a measured
// run. Identities that hold in both (checked in tests): every match is
// allocated, failed, or still waiting at the end (matches ≥ allocations +
// allocation_failures; matches ≥ allocation_waits); every disconnect ends
// as a recovery, a failed recovery with its reason, or a session that
// ended first (disconnects ≥ recoveries_ok + recoveries_failed); reconnects
// = recoveries_ok; alloc_wait has one sample per allocation.
const (
	// Players is the player arrivals (each one attempt to get a room).
	Players = "players"
	// Matches is the matches formed (full, or short-handed at the timeout).
	Matches = "matches"
	// Allocations is the matches that got a Ready room.
	Allocations = "allocations"
	// AllocationWaits is the matches that found no Ready room at once and
	// waited for one. The model counts a wait as it begins, whatever comes
	// of it; a real run counts the waits of matches that got a room. They
	// differ by waits that ended in a failure or at the run's end.
	AllocationWaits = "allocation_waits"
	// AllocationFailures is the matches that got no room within the
	// allocation timeout (or at once, with onNoServer: fail).
	AllocationFailures = "allocation_failures"
	// Disconnects is the sessions dropped while in a room: a client-side
	// drop, or a room drained or killed under its players.
	Disconnects = "disconnects"
	// Reconnects is the disconnected sessions that rejoined a room, counted
	// when they rejoined (the reconnects series is their rate per second).
	Reconnects = "reconnects"
	// RecoveriesOK is the rejoined sessions whose state was recovered
	// exactly (every input applied once, sequence contiguous).
	RecoveriesOK = "recoveries_ok"
	// RecoveriesFailed is the disconnected sessions that could not be
	// restored (each with a reason: recoveries_failed_REASON).
	RecoveriesFailed = "recoveries_failed"
	// NodesAdded is the nodes the autoscaler launched during the run,
	// whether or not they joined before it ended.
	NodesAdded = "nodes_added"
	// NodesRemoved is the room nodes removed during the run (consolidated
	// or lost).
	NodesRemoved = "nodes_removed"
)

// Series names: gauges are sampled at the end of each step (counts of
// rooms, nodes, pods or matches); rates are per second, averaged over it.
const (
	SeriesReadyBuffer  = "ready_buffer"    // Ready rooms in opsState None
	SeriesTarget       = "buffer_target"   // the policy's desired replicas
	SeriesAllocated    = "allocated"       // rooms in play
	SeriesStarting     = "starting"        // room pods placed, not yet Ready
	SeriesNodes        = "nodes"           // room nodes
	SeriesPendingPods  = "pending_pods"    // room pods no node fits
	SeriesArrivals     = "arrivals"        // players per second
	SeriesAllocations  = "allocations"     // allocations per second
	SeriesFailures     = "failures"        // allocation failures per second
	SeriesReconnects   = "reconnects"      // rejoins per second (see Reconnects)
	SeriesWaitingMatch = "waiting_matches" // matches waiting for a room
)

// Run is one model or measured run of a scenario.
type Run struct {
	Meta     Meta              `json:"meta"`
	Metrics  map[string]Metric `json:"metrics"`
	Counters map[string]int64  `json:"counters"`
	Series   Series            `json:"series"`
	Cost     Cost              `json:"cost"`
	Events   []Event           `json:"events"`
	Verdicts []Verdict         `json:"verdicts"`
	// ScaleUps are a measured run's node scale-ups stage by stage (the
	// model reports only their autoscale_lag).
	ScaleUps []ScaleUp `json:"scaleUps,omitempty"`
	// Calibration is a measured run's fixed overheads; on a model run, the
	// overheads it was run with (the model of a real run).
	Calibration *Calibration `json:"calibration,omitempty"`
	// ModelCheck is a measured run judged against the model of this run.
	ModelCheck *ModelCheck `json:"modelCheck,omitempty"`
	// Harness is a measured run's check on its own load generator and
	// host: invalid when they, not the system under test, were the limit.
	Harness *Harness `json:"harness,omitempty"`

	// Histograms are the raw histograms behind Metrics when the producer
	// kept them: merging replications then skips encoding and decoding.
	Histograms map[string]*Histogram `json:"-"`
}

// Summarize fills Metrics from Histograms (encoding each once).
func (r *Run) Summarize() {
	if r.Metrics == nil {
		r.Metrics = map[string]Metric{}
	}
	for name, h := range r.Histograms {
		if h.Count() > 0 {
			r.Metrics[name] = h.Metric()
		}
	}
}

// Meta identifies the run. A model run holds no wall-clock or host field,
// so the same seed gives a byte-identical file.
type Meta struct {
	Scenario     string  `json:"scenario"`
	ScenarioHash string  `json:"scenarioHash"`
	Seed         uint64  `json:"seed"`
	Source       string  `json:"source"`
	Provider     string  `json:"provider"`
	Version      string  `json:"version"`
	Speedup      float64 `json:"speedup"`
	Simulated    string  `json:"simulated"`
	Replications int     `json:"replications,omitempty"`
	Host         string  `json:"host,omitempty"`
	// Incomplete, on a measured run, says why it stopped before its end
	// (interrupted, a component died): what it holds covers only the
	// time until then, and compare fails it.
	Incomplete string `json:"incomplete,omitempty"`
	// NotMeasured, on a measured run, names what its cluster cannot show
	// (kind's fixed room pool: node autoscaling), so an empty series or a
	// missing lag is not read as a result.
	NotMeasured string `json:"notMeasured,omitempty"`
	Started     string `json:"started,omitempty"`
}

// Cost is what the fleet spent: node-seconds (billed from creation),
// server-seconds and the idle share of them (Ready, unallocated).
type Cost struct {
	NodeSeconds       float64 `json:"node_seconds"`
	ServerSeconds     float64 `json:"server_seconds"`
	IdleServerSeconds float64 `json:"idle_server_seconds"`
	// Money is NodeSeconds (or ServerSeconds without a node model) priced
	// at the scenario's nodes.hourlyCost; 0 when no price is set.
	Money float64 `json:"money,omitempty"`
}

// Event is a timeline entry as it happened.
type Event struct {
	At     Offset `json:"at"` // since the run's start; required on read
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// ScaleUp is one node added by the autoscaler: its stages in seconds
// from the first Unschedulable room it was added for. A stage not reached
// before the run ended, or not seen on this provider, is absent (0).
type ScaleUp struct {
	Node string `json:"node"`
	At   string `json:"at"`
	// Nominated: the autoscaler nominated the room to the node's claim.
	Nominated float64 `json:"nominated,omitempty"`
	// Started: the node's machine started (kind: its container).
	Started float64 `json:"started,omitempty"`
	// Created: the node registered (its Node object appeared).
	Created    float64 `json:"created"`
	Ready      float64 `json:"ready,omitempty"`
	PodRunning float64 `json:"podRunning,omitempty"`
	RoomReady  float64 `json:"roomReady,omitempty"`
}

// InOrder reports whether the stages seen come in order: the nomination
// and the machine's start (where the provider shows them) by the node's
// registration, then Ready, pod Running and room Ready, each no earlier
// than the one before or, cut off by the run's end, absent with nothing
// after it.
func (u ScaleUp) InOrder() bool {
	if u.Created <= 0 || u.Nominated > u.Created || u.Started > u.Created || (u.Started > 0 && u.Started < u.Nominated) {
		return false
	}
	prev := u.Created
	for _, v := range []float64{u.Ready, u.PodRunning, u.RoomReady} {
		switch {
		case v == 0:
			prev = math.Inf(1) // not reached: nothing may follow
		case v < prev:
			return false
		default:
			prev = v
		}
	}
	return true
}

// Verdict is one SLO judged.
type Verdict struct {
	SLO   string  `json:"slo"`
	Limit float64 `json:"limit"`
	Value float64 `json:"value"`
	Pass  bool    `json:"pass"`
	Note  string  `json:"note,omitempty"`
}

// Passed reports whether every verdict passed.
func (r *Run) Passed() bool {
	for _, v := range r.Verdicts {
		if !v.Pass {
			return false
		}
	}
	return true
}

// Histogram returns a metric's histogram: the raw one if the producer kept
// it, else decoded from the metric's encoded form.
func (r *Run) Histogram(name string) (*Histogram, error) {
	if h, ok := r.Histograms[name]; ok {
		return h, nil
	}
	return r.Metrics[name].Histogram()
}
