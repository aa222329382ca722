package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/stack/wire"
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

// TestRoomReadingsOnlyGrow: an older reading that finishes after a newer
// one (two reads in flight at once) does not take its counts back.
func TestRoomReadingsOnlyGrow(t *testing.T) {
	newer := roomCounts{Ticks: 100, TicksLate: 2, Disconnects: map[string]float64{"left": 50}}
	older := roomCounts{Ticks: 90, TicksLate: 2, Disconnects: map[string]float64{"left": 10, "read_timeout": 1}}
	got := older.latest(newer)
	if got.Ticks != 100 || got.Disconnects["left"] != 50 || got.Disconnects["read_timeout"] != 1 {
		t.Errorf("older after newer: %+v", got)
	}
}

// TestObserverReadsARoomAsItsMatchEnds: a room is read when its match
// ends (every player has left; the fleet may delete it within
// milliseconds) and when its pod is deleted, not on other updates.
func TestObserverReadsARoomAsItsMatchEnds(t *testing.T) {
	start := time.Unix(1000, 0)
	o := newObserver(newClock(start, 1), 10*time.Second)
	o.now = func() time.Time { return start }
	read := make(chan string, 4)
	o.roomSettled = func(name, addr string) { read <- name + "@" + addr }
	pod := func(ops string) *corev1.Pod {
		p := room("room-a", "node-1", corev1.PodRunning, true)
		p.Labels[wire.OpsStateLabel] = ops
		p.Annotations = map[string]string{wire.AddressAnnotation: "127.0.0.1:7777"}
		return p
	}
	o.pod(nil, pod("None"))
	o.pod(nil, pod("Allocated"))
	o.pod(nil, pod("Allocated"))
	select {
	case got := <-read:
		t.Fatalf("read %s before its match ended", got)
	default:
	}
	next := func(when string) {
		t.Helper()
		select {
		case got := <-read:
			if got != "room-a@127.0.0.1:7777" {
				t.Errorf("at %s read %q", when, got)
			}
		case <-time.After(10 * time.Second): // it reads on its own goroutine
			t.Fatalf("not read at %s", when)
		}
	}
	o.pod(nil, pod("WaitToBeDeleted"))
	next("its match's end")
	deleted := pod("WaitToBeDeleted")
	deleted.DeletionTimestamp = &metav1.Time{Time: start}
	o.pod(nil, deleted)
	next("its deletion")
}
