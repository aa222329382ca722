// Package conformance holds the known-answer scenarios: deterministic
// (uniform arrivals, fixed delays) so that each measurement has an answer
// derived by hand, in the scenario's comment. The model must give each
// answer exactly; a real run must measure it within Tolerance, after the
// readiness period a real room adds where the answer waits for one.
package conformance

import (
	"embed"
	"fmt"
	"math"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

//go:embed *.yaml
var files embed.FS

// Tolerance is a real run's allowed relative error against an answer.
const Tolerance = 0.15

// Case is one known-answer scenario and its answers.
type Case struct {
	Name     string
	Answers  []Answer
	Counters map[string]int64 // exact in the model and in a real run
}

// Answer is one latency statistic's known value, in seconds.
type Answer struct {
	Metric string // results metric name
	Stat   string // min, max, p50, p90, p99
	Want   float64
	// Probed: the answer ends when a starting room turns Ready, which a
	// real run sees ReadinessPeriod later than the model.
	Probed bool
	// Floor, when larger, replaces Tolerance as a real run's allowed
	// error: for answers so short that 15% is less than the stack's own
	// cost of the step (see reconnectFloor).
	Floor float64
	Why   string
}

// reconnectFloor is a real run's allowed error on a 1 s reconnect: the
// reconnect's own costs, which the model takes to be instant — the dial,
// the room's session read from Redis, the acknowledgement that comes with
// the room's next tick (20 Hz) and, on a rollout, the rejoin's claim
// through the API. Measured 0.04–0.11 s over the crash and rollout runs
// on an idle 2-core host (medians: handshake 0.055 s, rejoin claim
// 0.02 s), 0.19 s on a loaded one (CI), where 15% of 1 s allows 0.15 s.
const reconnectFloor = 0.3

// ReadinessPeriod is the room's readiness probe period in seconds
// (periodSeconds in the stack's roomserver.yaml). A real run sees a
// starting room Ready one period after its process starts: the first
// probe runs as the container starts, before the server listens, and
// the next one period later. The local runner probes so; kubelet's probe
// ticker starts with the pod, so there the delay is up to one period.
const ReadinessPeriod = 1.0

// Cases lists the known-answer scenarios.
func Cases() []Case {
	return []Case{{
		Name: "scaleup",
		Answers: []Answer{
			{Metric: results.AutoscaleLag, Stat: "min", Want: 46, Probed: true, Why: "1 s batch + 5 s provision + 30 s boot + 10 s startup"},
			{Metric: results.AutoscaleLag, Stat: "max", Want: 46, Probed: true, Why: "the same for every node, from its own room"},
		},
		Counters: map[string]int64{results.Players: 4, results.Allocations: 4, results.NodesAdded: 4, results.AllocationFailures: 0},
	}, {
		Name: "exhausted",
		Answers: []Answer{
			{Metric: results.TimeToRoom, Stat: "min", Want: 8, Probed: true, Why: "the demand-aware controller starts a pod per waiting match; it is Ready 8 s later"},
			{Metric: results.TimeToRoom, Stat: "max", Want: 8, Probed: true, Why: "every match finds the buffer empty"},
			{Metric: results.AllocWait, Stat: "p50", Want: 8, Probed: true, Why: "the wait is the pod's startup"},
		},
		Counters: map[string]int64{results.Players: 5, results.Allocations: 5, results.AllocationWaits: 5, results.AllocationFailures: 0},
	}, {
		Name: "crash",
		Answers: []Answer{
			{Metric: results.ReconnectLatency, Stat: "min", Want: 1, Floor: reconnectFloor, Why: "the 1 s backoff, then a Ready room at once"},
			{Metric: results.ReconnectLatency, Stat: "max", Want: 1, Floor: reconnectFloor, Why: "every crashed player alike"},
			{Metric: results.TimeToRoom, Stat: "max", Want: 2.5, Why: "the first of a pair waits 2.5 s for the second; rooms are Ready"},
		},
		Counters: map[string]int64{results.Players: 8, results.Matches: 4, results.Allocations: 4, results.Disconnects: 4,
			results.Reconnects: 4, results.RecoveriesOK: 4, results.RecoveriesFailed: 0},
	}, {
		Name: "tick",
		Answers: []Answer{
			{Metric: results.TimeToRoom, Stat: "min", Want: 3, Probed: true, Why: "arrival at 20 s, tick at 21 s, Ready 2 s later"},
			{Metric: results.TimeToRoom, Stat: "p50", Want: 6, Probed: true, Why: "arrival at 10 s, tick at 14 s, Ready 2 s later"},
			{Metric: results.TimeToRoom, Stat: "max", Want: 8, Probed: true, Why: "arrival at 50 s, tick at 56 s, Ready 2 s later"},
		},
		Counters: map[string]int64{results.Players: 5, results.Allocations: 5, results.AllocationWaits: 5, results.AllocationFailures: 0},
	}, {
		Name: "rollout",
		Answers: []Answer{
			{Metric: results.ReconnectLatency, Stat: "min", Want: 1, Floor: reconnectFloor, Why: "the 1 s backoff, then the match's new room, Ready"},
			{Metric: results.ReconnectLatency, Stat: "max", Want: 1, Floor: reconnectFloor, Why: "a room is drained only when a new Ready room waits for its match (drained matches count as in play)"},
		},
		Counters: map[string]int64{results.Players: 8, results.Matches: 4, results.Allocations: 4, results.Disconnects: 8,
			results.Reconnects: 8, results.RecoveriesOK: 8, results.RecoveriesFailed: 0},
	}, {
		Name: "redis",
		Answers: []Answer{
			{Metric: results.ReconnectLatency, Stat: "min", Want: 7, Why: "attempts at 1, 3 (Redis down) and 7 s (back)"},
			{Metric: results.ReconnectLatency, Stat: "max", Want: 7, Why: "every crashed player alike"},
		},
		Counters: map[string]int64{results.Players: 8, results.Matches: 4, results.Disconnects: 4,
			results.Reconnects: 4, results.RecoveriesOK: 4, results.RecoveriesFailed: 0},
	}, {
		Name: "nodeloss",
		Answers: []Answer{
			{Metric: results.AutoscaleLag, Stat: "min", Want: 37.5, Probed: true, Why: "1 s batch + 5 s provision + 29.5 s boot + 2 s startup"},
			{Metric: results.AutoscaleLag, Stat: "max", Want: 37.5, Probed: true, Why: "the same for both waves of nodes"},
			{Metric: results.ReconnectLatency, Stat: "min", Want: 37.5, Probed: true, Why: "the players wait at the matchmaker for the first wave's rooms"},
			{Metric: results.ReconnectLatency, Stat: "max", Want: 37.5, Probed: true, Why: "both matches get a first-wave room"},
		},
		Counters: map[string]int64{results.Players: 4, results.Matches: 2, results.Disconnects: 4, results.Reconnects: 4,
			results.RecoveriesOK: 4, results.RecoveriesFailed: 0, results.NodesAdded: 5},
	}}
}

// Document is a case's scenario file.
func Document(name string) ([]byte, error) {
	data, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("conformance %s: %w", name, err)
	}
	return data, nil
}

// Load parses a case's scenario.
func Load(name string) (*scenarios.Scenario, error) {
	data, err := Document(name)
	if err != nil {
		return nil, err
	}
	return scenarios.Parse(data, ".")
}

// Value reads an answer's statistic from a run.
func (a Answer) Value(r *results.Run) (float64, bool) {
	m, ok := r.Metrics[a.Metric]
	if !ok || m.Count == 0 {
		return 0, false
	}
	switch a.Stat {
	case "min":
		return m.Min, true
	case "max":
		return m.Max, true
	}
	return m.Percentile(a.Stat)
}

// Expected is the answer for the model (exact) or for a real run, which
// adds the readiness period where the answer waits for a room to start.
func (a Answer) Expected(exact bool) float64 {
	if !exact && a.Probed {
		return a.Want + ReadinessPeriod
	}
	return a.Want
}

// Check compares a run's value with the answer: exactly (to the
// histogram's resolution) for the model; for a real run within Tolerance
// of the scenario's own delays (the readiness period is a known addition,
// not slack). It returns a description of any disagreement.
func (a Answer) Check(r *results.Run, exact bool) error {
	want := a.Expected(exact)
	got, ok := a.Value(r)
	if !ok {
		return fmt.Errorf("%s %s: no samples (want %g: %s)", a.Metric, a.Stat, want, a.Why)
	}
	// HdrHistogram keeps 3 significant digits.
	allowed := a.Want*1e-3 + 1e-6
	if !exact {
		allowed = math.Max(a.Want*Tolerance, a.Floor)
	}
	if math.Abs(got-want) > allowed {
		return fmt.Errorf("%s %s = %.3f s, want %g ± %.3f (%s)", a.Metric, a.Stat, got, want, allowed, a.Why)
	}
	return nil
}
