package loadgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/results"
)

// Outcome is one player's story, appended to players.ndjson as soon as
// the player is done: a run cut short keeps everything gathered so far.
type Outcome struct {
	Index      uint64      `json:"i"`
	At         float64     `json:"at"` // intended arrival, seconds from the start
	Player     string      `json:"player"`
	Late       float64     `json:"late,omitempty"`       // seconds behind the schedule at arrival
	TimeToRoom float64     `json:"timeToRoom,omitempty"` // seconds from the intended arrival to joined
	MatchWait  float64     `json:"matchWait,omitempty"`
	AllocWait  float64     `json:"allocWait,omitempty"`
	Connect    float64     `json:"connect,omitempty"`
	Room       string      `json:"room,omitempty"`
	Match      string      `json:"match,omitempty"`
	Failure    string      `json:"failure,omitempty"` // why the player never got a room
	Reconnects []Reconnect `json:"reconnects,omitempty"`
	Inputs     uint64      `json:"inputs"`
}

// Reconnect is one recovery attempt after a disconnect.
type Reconnect struct {
	Latency float64 `json:"latency"` // seconds from the disconnect to the session restored
	OK      bool    `json:"ok"`
	Reason  string  `json:"reason,omitempty"` // why the state could not be recovered
}

// Recorder aggregates outcomes into the Run contract's metrics and
// counters, and journals each one.
type Recorder struct {
	mu       sync.Mutex
	hists    map[string]*results.Histogram
	counters map[string]int64
	reasons  map[string]int64
	journal  *bufio.Writer
	file     *os.File
	lastSync time.Time
	step     time.Duration
	series   map[string][]float64 // events per step, by series name
	// Allocation counters are per match, as the model counts them: a
	// match's players share one allocation (or one failure).
	matches, failedMatches map[string]bool
}

// NewRecorder journals to path (NDJSON, created or truncated); series
// use step (results.StepFor of the run's wall duration).
func NewRecorder(path string, step time.Duration) (*Recorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	r := &Recorder{hists: map[string]*results.Histogram{}, counters: map[string]int64{}, reasons: map[string]int64{},
		file: f, journal: bufio.NewWriter(f), step: step, series: map[string][]float64{},
		matches: map[string]bool{}, failedMatches: map[string]bool{}}
	for _, m := range []string{results.TimeToRoom, results.MatchWait, results.AllocWait, results.Connect, results.ReconnectLatency} {
		r.hists[m] = results.NewHistogram()
	}
	return r, nil
}

// Record adds one finished player.
func (r *Recorder) Record(o Outcome) {
	line, _ := json.Marshal(o)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters[results.Players]++
	r.count(results.SeriesArrivals, o.At)
	if o.Failure != "" {
		r.reasons["players_failed_"+o.Failure]++
		if o.Match != "" && !r.failedMatches[o.Match] {
			r.failedMatches[o.Match] = true
			r.counters[results.AllocationFailures]++
			r.count(results.SeriesFailures, o.At)
		}
	} else {
		if !r.matches[o.Match] {
			r.matches[o.Match] = true
			r.counters[results.Matches]++
			r.counters[results.Allocations]++
			r.count(results.SeriesAllocations, o.At+o.MatchWait+o.AllocWait)
		}
		r.hists[results.TimeToRoom].Record(o.TimeToRoom)
		r.hists[results.MatchWait].Record(o.MatchWait)
		r.hists[results.AllocWait].Record(o.AllocWait)
		r.hists[results.Connect].Record(o.Connect)
	}
	for _, rc := range o.Reconnects {
		r.counters[results.Disconnects]++
		r.counters[results.Reconnects]++
		if rc.OK {
			r.counters[results.RecoveriesOK]++
			r.hists[results.ReconnectLatency].Record(rc.Latency)
		} else {
			r.counters[results.RecoveriesFailed]++
			r.reasons[results.RecoveriesFailed+"_"+rc.Reason]++
		}
	}
	r.journal.Write(append(line, '\n'))
	// Flush at most once a second: the journal survives a Ctrl-C or a
	// crash of the target, minus the last second at worst.
	if time.Since(r.lastSync) > time.Second {
		r.journal.Flush()
		r.lastSync = time.Now()
	}
}

// count adds one event at t seconds to a per-second series.
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

// Fill writes the aggregates into run and closes the journal.
func (r *Recorder) Fill(run *results.Run) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	run.Series = results.Series{Step: r.step, Values: r.series}
	run.Histograms = r.hists
	run.Summarize()
	run.Counters = map[string]int64{}
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
