package loadgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/loadgen/guard"
	"github.com/fleetbench/fleetbench/results"
)

// Outcome is one player's story, appended to players.ndjson as soon as
// the player is done: a run cut short keeps everything gathered so far.
// Times here are wall-clock seconds, as the player lived them;
// measured.json converts them to scenario time.
type Outcome struct {
	Index      uint64      `json:"i"`
	At         float64     `json:"at"` // intended arrival, seconds from the start
	Player     string      `json:"player"`
	Late       float64     `json:"late,omitempty"`       // seconds behind the schedule at arrival
	TimeToRoom float64     `json:"timeToRoom,omitempty"` // seconds from the intended arrival to joined
	MatchWait  float64     `json:"matchWait,omitempty"`
	AllocWait  float64     `json:"allocWait,omitempty"`
	Connect    float64     `json:"connect,omitempty"`
	Waited     bool        `json:"waited,omitempty"` // the match found no Ready room and waited
	Room       string      `json:"room,omitempty"`
	Match      string      `json:"match,omitempty"`
	Failure    string      `json:"failure,omitempty"` // why the player never got a room
	Reconnects []Reconnect `json:"reconnects,omitempty"`
	Inputs     uint64      `json:"inputs"`
	// Sent is the inputs sent, InputsLate those sent more than guard.Late
	// after they were due (the harness's own lateness, not the room's).
	Sent       uint64 `json:"sent,omitempty"`
	InputsLate uint64 `json:"inputsLate,omitempty"`
	// Interrupted: the run ended (Ctrl-C, time limit) while the player
	// was still in its room or reconnecting.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Reconnect is one recovery attempt after a disconnect.
type Reconnect struct {
	At      float64 `json:"at"`      // the disconnect, seconds from the start
	Latency float64 `json:"latency"` // seconds from the disconnect to the session restored
	OK      bool    `json:"ok"`
	Reason  string  `json:"reason,omitempty"` // why the state could not be recovered
	// Error is a failed reconnect's last error as the client saw it (the
	// room it dialed and what answered), so that a reason such as
	// window_expired_room_gone can be traced to its cause in the journal.
	Error string `json:"error,omitempty"`
	// Handshake is the successful attempt's own cost, from its dial to
	// the session verified (seconds).
	Handshake float64 `json:"handshake,omitempty"`
	// Rejoin, for a reconnect that asked the matchmaker for the match's
	// new room, is the time it spent neither backing off nor in the last
	// handshake: refused dials and the rejoin's claim (seconds).
	Rejoin float64 `json:"rejoin,omitempty"`
}

// Recorder aggregates outcomes into the Run contract's metrics (one set
// of HdrHistograms per shard of players, merged at the end), counters and
// series, and journals each outcome.
type Recorder struct {
	shards  []histShard
	speedup float64 // wall seconds × speedup = scenario seconds

	mu       sync.Mutex // guards everything below
	counters map[string]int64
	reasons  map[string]int64
	journal  *bufio.Writer
	file     *os.File
	lastSync time.Time
	step     time.Duration
	series   map[string][]float64 // events per scenario second, by series name
	ttrSteps *results.StepPercentiles
	// Allocation counters are per match, as the model counts them: a
	// match's players share one allocation (or one failure), and so does
	// alloc_wait (one sample per allocation, as in the model).
	matches, failedMatches map[string]bool
	allocWait              *results.Histogram
	// claims, handshakes and rejoins time the fixed costs the model
	// leaves out (scenario seconds): the alloc_wait of matches that found
	// a Ready room at once, each successful reconnect's handshake, and
	// the rejoin of each that asked for the match's new room.
	claims, handshakes, rejoins *results.Histogram
	// late is the players' own lateness, for the harness's check.
	late guard.Players
}

// histShard is one worker's histograms: players record without meeting
// the others on one lock.
type histShard struct {
	mu    sync.Mutex
	hists map[string]*results.Histogram
}

// recordedMetrics are per player; alloc_wait is per match (Recorder.allocWait).
var recordedMetrics = []string{results.TimeToRoom, results.MatchWait, results.Connect, results.ReconnectLatency}

// NewRecorder journals to path (NDJSON, created or truncated); series use
// step of scenario time; shards is the number of histogram sets.
func NewRecorder(path string, step time.Duration, speedup float64, shards int) (*Recorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	r := &Recorder{counters: map[string]int64{}, reasons: map[string]int64{}, speedup: speedup,
		file: f, journal: bufio.NewWriter(f), step: step, series: map[string][]float64{},
		matches: map[string]bool{}, failedMatches: map[string]bool{}, allocWait: results.NewHistogram(),
		claims: results.NewHistogram(), handshakes: results.NewHistogram(), rejoins: results.NewHistogram(), ttrSteps: results.NewStepPercentiles(step), shards: make([]histShard, max(shards, 1))}
	for i := range r.shards {
		r.shards[i].hists = map[string]*results.Histogram{}
		for _, m := range recordedMetrics {
			r.shards[i].hists[m] = results.NewHistogram()
		}
	}
	return r, nil
}

// Record adds one finished player.
func (r *Recorder) Record(o Outcome) {
	line, _ := json.Marshal(o)
	r.record(o, line)
}

// record adds a player whose journal line is already written (a
// worker's, merged): encoding it again would double the merge's cost.
func (r *Recorder) record(o Outcome, line []byte) {
	k := r.speedup
	sh := &r.shards[o.Index%uint64(len(r.shards))]
	sh.mu.Lock()
	if o.Failure == "" {
		sh.hists[results.TimeToRoom].Record(o.TimeToRoom * k)
		sh.hists[results.MatchWait].Record(o.MatchWait * k)
		sh.hists[results.Connect].Record(o.Connect * k)
	}
	for _, rc := range o.Reconnects {
		if rc.OK {
			sh.hists[results.ReconnectLatency].Record(rc.Latency * k)
		}
	}
	sh.mu.Unlock()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters[results.Players]++
	r.late.Arrivals++
	if o.Late > guard.Late {
		r.late.ArrivalsLate++
	}
	r.late.Inputs += o.Sent
	r.late.InputsLate += o.InputsLate
	if o.Interrupted {
		r.reasons["players_interrupted"]++
	}
	r.count(results.SeriesArrivals, o.At*k)
	if o.Failure != "" {
		r.reasons["players_failed_"+o.Failure]++
		if o.Match != "" && !r.failedMatches[o.Match] {
			r.failedMatches[o.Match] = true
			r.counters[results.Matches]++ // formed, though not allocated
			r.counters[results.AllocationFailures]++
			r.count(results.SeriesFailures, o.At*k)
		}
	} else {
		r.ttrSteps.Record(o.At*k, o.TimeToRoom*k)
	}
	if o.Failure == "" && !r.matches[o.Match] {
		r.matches[o.Match] = true
		r.counters[results.Matches]++
		r.counters[results.Allocations]++
		r.allocWait.Record(o.AllocWait * k)
		if o.Waited {
			r.counters[results.AllocationWaits]++
		} else {
			r.claims.Record(o.AllocWait * k)
		}
		r.count(results.SeriesAllocations, (o.At+o.MatchWait+o.AllocWait)*k)
	}
	for _, rc := range o.Reconnects {
		r.counters[results.Disconnects]++
		if rc.OK {
			// A reconnect is a rejoin, counted when it happened, as the
			// model counts it (results.Reconnects).
			r.counters[results.Reconnects]++
			r.count(results.SeriesReconnects, (rc.At+rc.Latency)*k)
			r.handshakes.Record(rc.Handshake * k)
			if rc.Rejoin > 0 {
				r.rejoins.Record(rc.Rejoin * k)
			}
			r.counters[results.RecoveriesOK]++
		} else {
			r.counters[results.RecoveriesFailed]++
			r.reasons[results.RecoveriesFailed+"_"+rc.Reason]++
		}
	}
	r.journal.Write(line)
	r.journal.WriteByte('\n')
	// Flush at most once a second: the journal survives a Ctrl-C or a
	// crash of the target, minus the last second at worst.
	if time.Since(r.lastSync) > time.Second {
		r.journal.Flush()
		r.lastSync = time.Now()
	}
}

// count adds one event at t scenario seconds to a per-second series.
func (r *Recorder) count(name string, t float64) {
	i := int(t / r.step.Seconds())
	if i < 0 {
		return
	}
	v := r.series[name]
	for len(v) <= i {
		v = append(v, 0)
	}
	v[i] += 1 / r.step.Seconds()
	r.series[name] = v
}

// stages returns the measured fixed costs for calibrate, with the
// rooms' startups the observer measured.
func (r *Recorder) stages(startups []float64) stages {
	r.mu.Lock()
	defer r.mu.Unlock()
	return stages{startups: startups, claims: r.claims, handshakes: r.handshakes, rejoins: r.rejoins}
}

// lateness is the players' own lateness so far.
func (r *Recorder) lateness() guard.Players {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.late
}

// Fill writes the aggregates into run and closes the journal.
func (r *Recorder) Fill(run *results.Run) error {
	run.Histograms = map[string]*results.Histogram{}
	for _, m := range recordedMetrics {
		run.Histograms[m] = results.NewHistogram()
	}
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		for m, h := range sh.hists {
			run.Histograms[m].Merge(h)
		}
		sh.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	run.Histograms[results.AllocWait] = r.allocWait
	run.Series = results.Series{Step: r.step, Values: r.series}
	points := max(len(r.series[results.SeriesArrivals]), r.ttrSteps.Points())
	r.series[results.SeriesTimeToRoomP50] = r.ttrSteps.Series(0.5, points)
	r.series[results.SeriesTimeToRoomP99] = r.ttrSteps.Series(0.99, points)
	run.Summarize()
	// Every counter of the contract, zero or not, as the model writes them.
	run.Counters = map[string]int64{}
	for _, k := range []string{results.Players, results.Matches, results.Allocations, results.AllocationWaits, results.AllocationFailures,
		results.Disconnects, results.Reconnects, results.RecoveriesOK, results.RecoveriesFailed} {
		run.Counters[k] = 0
	}
	for k, v := range r.counters {
		run.Counters[k] = v
	}
	for k, v := range r.reasons {
		run.Counters[k] = v
	}
	if err := r.journal.Flush(); err != nil {
		return err
	}
	return r.file.Close()
}
