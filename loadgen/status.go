package loadgen

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fleetbench/fleetbench/results"
)

// statusWindow is how far back the live p99 and rates look.
const statusWindow = 10

// status is the run's live view for the terminal: counters bumped by the
// players as things happen (the recorder only sees finished players) and
// the time-to-room of the last statusWindow seconds.
type status struct {
	clock                        clock
	total                        time.Duration // the scenario's duration
	arrivals, inRoom, reconnects atomic.Int64

	mu     sync.Mutex
	recent [statusWindow]*results.Histogram // one per wall second, a ring
	slot   int
	// harness, when set, is the harness's check so far, for the line.
	harness func() string
}

func newStatus(c clock, total time.Duration) *status {
	s := &status{clock: c, total: total}
	for i := range s.recent {
		s.recent[i] = results.NewHistogram()
	}
	return s
}

// joined records a player in its room after ttr wall seconds.
func (s *status) joined(ttr float64) {
	s.inRoom.Add(1)
	s.mu.Lock()
	s.recent[s.slot].Record(ttr * s.clock.speedup)
	s.mu.Unlock()
}

// line renders one status line; rates are over the wall time over, in
// scenario seconds.
func (s *status) line(now time.Time, nodes int, arrivalsBefore, reconnectsBefore int64, over time.Duration) string {
	s.mu.Lock()
	all := results.NewHistogram()
	for _, h := range s.recent {
		all.Merge(h)
	}
	s.mu.Unlock()
	p99 := "–"
	if all.Count() > 0 {
		p99 = fmt.Sprintf("%.2fs", all.Quantile(0.99))
	}
	per := s.clock.secs(over) // rates per scenario second
	return fmt.Sprintf("%s/%s (wall %s) · in rooms %d · arrivals %.2f/s · p99 time_to_room %s · reconnects %.2f/s · nodes %d",
		round(time.Duration(s.clock.at(now)*float64(time.Second))), round(s.total), round(now.Sub(s.clock.start)),
		s.inRoom.Load(), float64(s.arrivals.Load()-arrivalsBefore)/per, p99,
		float64(s.reconnects.Load()-reconnectsBefore)/per, nodes) + s.harnessPart()
}

func (s *status) harnessPart() string {
	if s.harness == nil {
		return ""
	}
	return " · " + s.harness()
}

func (s *status) rotate() {
	s.mu.Lock()
	s.slot = (s.slot + 1) % statusWindow
	s.recent[s.slot].Reset()
	s.mu.Unlock()
}

// report writes the status to w until ctx ends: rewritten in place once a
// second on a terminal, a new line every 10 s otherwise (logs, CI).
func (s *status) report(ctx context.Context, w io.Writer, nodes func() int) {
	tty := isTerminal(w)
	every := 10
	if tty {
		every = 1
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	type mark struct{ arrivals, reconnects int64 }
	var marks [statusWindow]mark
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			if tty {
				fmt.Fprintln(w)
			}
			return
		case now := <-tick.C:
			old := marks[n%statusWindow] // statusWindow seconds ago (or the start)
			over := time.Duration(min(n, statusWindow)) * time.Second
			if n%every == 0 {
				l := s.line(now, nodes(), old.arrivals, old.reconnects, over)
				if tty {
					fmt.Fprintf(w, "\r\033[K%s", l)
				} else {
					fmt.Fprintln(w, l)
				}
			}
			marks[n%statusWindow] = mark{s.arrivals.Load(), s.reconnects.Load()}
			s.rotate()
		}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func round(d time.Duration) time.Duration { return d.Round(time.Second) }

// snapshot is the live counters and the recent window's time to room,
// as a worker reports them.
func (s *status) snapshot() workerStatus {
	s.mu.Lock()
	all := results.NewHistogram()
	for _, h := range s.recent {
		all.Merge(h)
	}
	s.mu.Unlock()
	st := workerStatus{Ready: true, Arrivals: s.arrivals.Load(), InRoom: s.inRoom.Load(), Reconnects: s.reconnects.Load()}
	st.Recent, _ = all.Encode() // a status without it shows no p99
	return st
}

// show makes the status line the sum of the workers' statuses: their
// counters, and their recent windows merged into the current slot.
func (s *status) show(workers []workerStatus) {
	var arrivals, inRoom, reconnects int64
	all := results.NewHistogram()
	for _, w := range workers {
		arrivals, inRoom, reconnects = arrivals+w.Arrivals, inRoom+w.InRoom, reconnects+w.Reconnects
		if h, err := (results.Metric{HDR: w.Recent}).Histogram(); err == nil {
			all.Merge(h)
		}
	}
	s.arrivals.Store(arrivals)
	s.inRoom.Store(inRoom)
	s.reconnects.Store(reconnects)
	s.mu.Lock()
	for _, h := range s.recent {
		h.Reset()
	}
	s.recent[s.slot].Merge(all)
	s.mu.Unlock()
}
