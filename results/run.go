// Package results is the contract between the producers of runs (the
// model in sim, the real run in loadgen) and the reports: one Run type,
// written as JSON, with latency metrics in seconds backed by HdrHistograms.
package results

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

// Counter names.
const (
	Players            = "players"
	Matches            = "matches"
	Allocations        = "allocations" // successful allocations
	AllocationWaits    = "allocation_waits"
	AllocationFailures = "allocation_failures"
	Disconnects        = "disconnects"
	Reconnects         = "reconnects"
	RecoveriesOK       = "recoveries_ok"
	RecoveriesFailed   = "recoveries_failed"
	NodesAdded         = "nodes_added"
	NodesRemoved       = "nodes_removed"
)

// Series names.
const (
	SeriesReadyBuffer  = "ready_buffer"
	SeriesTarget       = "buffer_target"
	SeriesAllocated    = "allocated"
	SeriesStarting     = "starting"
	SeriesNodes        = "nodes"
	SeriesPendingPods  = "pending_pods"
	SeriesArrivals     = "arrivals"    // per second
	SeriesAllocations  = "allocations" // per second
	SeriesFailures     = "failures"    // per second
	SeriesReconnects   = "reconnects"  // per second
	SeriesWaitingMatch = "waiting_matches"
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
	Started      string  `json:"started,omitempty"`
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
	At     string `json:"at"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// ScaleUp is one node added by the autoscaler: its stages in seconds
// from the first Unschedulable room it was added for. A stage not reached
// before the run ended is absent (0).
type ScaleUp struct {
	Node       string  `json:"node"`
	At         string  `json:"at"`
	Created    float64 `json:"created"`
	Ready      float64 `json:"ready,omitempty"`
	PodRunning float64 `json:"podRunning,omitempty"`
	RoomReady  float64 `json:"roomReady,omitempty"`
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
