package loadgen

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/results"
)

// TestTargetDownCountedByKind: players facing a matchmaker that is gone,
// overloaded or out of rooms fail fast, each failure counted by its kind,
// and the results are still written.
func TestTargetDownCountedByKind(t *testing.T) {
	// A port that was just free: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := l.Addr().String()
	l.Close()
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(code)
			w.Write([]byte(`{"match":"m-` + r.URL.Path + `"}`))
		}))
		t.Cleanup(srv.Close)
		return srv.Listener.Addr().String()
	}
	rec, err := NewRecorder(filepath.Join(t.TempDir(), "players.ndjson"), time.Second, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i, tc := range []struct{ addr, kind string }{
		{gone, "unreachable"}, {status(http.StatusServiceUnavailable), "no_room"},
		{status(http.StatusTooManyRequests), "queue_full"}, {status(http.StatusInternalServerError), "http_500"},
	} {
		g := &generator{start: start, matchmaker: tc.addr, http: &http.Client{Timeout: 5 * time.Second}, rec: rec, status: newStatus(newClock(start, 1), time.Minute)}
		o := g.play(context.Background(), Arrival{Index: uint64(i), Intended: time.Now()}, session{Length: time.Second})
		if o.Failure != tc.kind {
			t.Errorf("matchmaker %s: failure %q, want %q", tc.addr, o.Failure, tc.kind)
		}
		rec.Record(o)
	}
	run := &results.Run{}
	if err := rec.Fill(run); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"unreachable", "no_room", "queue_full", "http_500"} {
		if run.Counters["players_failed_"+kind] != 1 {
			t.Errorf("counters %v: want one players_failed_%s", run.Counters, kind)
		}
	}
	if run.Counters[results.Players] != 4 {
		t.Errorf("counters %v: want 4 players", run.Counters)
	}
}
