package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeRoomMetrics serves a room server's counters as Prometheus text.
func fakeRoomMetrics(t *testing.T, ticks, late int, causes map[string]int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "# TYPE room_ticks_total counter\nroom_ticks_total %d\n# TYPE room_ticks_late_total counter\nroom_ticks_late_total %d\n# TYPE room_disconnects_total counter\n", ticks, late)
		for c, n := range causes {
			fmt.Fprintf(w, "room_disconnects_total{cause=%q} %d\n", c, n)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestRoomScraper: the rooms' counters are summed over their last
// readings, a room gone since keeps its last, and an address the players
// could not dial is not read.
func TestRoomScraper(t *testing.T) {
	a := fakeRoomMetrics(t, 100, 3, map[string]int{"left": 5, "read_timeout": 2})
	b := fakeRoomMetrics(t, 50, 0, map[string]int{"left": 4})
	live := map[string]string{"room-a": a, "room-b": b, "room-far": "203.0.113.7:7777"}
	s := newRoomScraper(func() map[string]string { return live }, func(addr string) error {
		if strings.HasPrefix(addr, "203.") {
			return errors.New("not loopback")
		}
		return nil
	})
	s.scrapeAll(context.Background())
	delete(live, "room-a") // gone: its last reading stays
	s.scrapeAll(context.Background())
	total, rooms := s.totals()
	if rooms != 2 || total.Ticks != 150 || total.TicksLate != 3 {
		t.Errorf("%d rooms, ticks %g, late %g; want 2, 150, 3", rooms, total.Ticks, total.TicksLate)
	}
	got := total.disconnectCounts()
	if len(got) != 2 || got["left"] != 9 || got["read_timeout"] != 2 {
		t.Errorf("disconnect counters %v", got)
	}
}
