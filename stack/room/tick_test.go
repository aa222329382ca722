package room

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// TestTickLateness: a tick run a whole period after it was due counts as
// late, and so does each tick the ticker dropped in between.
func TestTickLateness(t *testing.T) {
	s := &Server{cfg: Config{Tick: 100 * time.Millisecond}, metrics: newMetrics()}
	now := time.Now()
	s.countTick(now, time.Time{}) // the first, on time
	s.countTick(now.Add(100*time.Millisecond), now)
	// Due 300 ms after the last (two dropped), received 150 ms late.
	s.countTick(now.Add(-150*time.Millisecond), now.Add(-450*time.Millisecond))
	if got, late := testutil.ToFloat64(s.metrics.ticks), testutil.ToFloat64(s.metrics.ticksLate); got != 5 || late != 3 {
		t.Errorf("ticks %g, late %g; want 5, 3", got, late)
	}
}

// TestStatePadding: a state is padded up to StateBytes (a game's own
// state size), and never cut below its own size.
func TestStatePadding(t *testing.T) {
	g := newGame("pad", 4, 1000)
	if _, err := g.seat("p1", "m", nil); err != nil {
		t.Fatal(err)
	}
	state, _, _, _ := g.tick(false)
	if len(state) != 1000 {
		t.Errorf("padded state of %d bytes, want 1000", len(state))
	}
	var m wire.Message
	if err := json.Unmarshal(state, &m); err != nil || len(m.Players) != 1 || m.Players[0].Player != "p1" {
		t.Errorf("padded state %s: %v", state, err)
	}
	small := newGame("small", 4, 10)
	small.seat("p1", "m", nil)
	if state, _, _, _ := small.tick(false); len(state) <= 10 || strings.Contains(string(state), `"data"`) {
		t.Errorf("a state bigger than StateBytes was changed: %s", state)
	}
}
