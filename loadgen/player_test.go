package loadgen

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
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
		g := &generator{start: start, matchmaker: tc.addr, http: &http.Client{Timeout: 5 * time.Second}, record: rec.Record, status: newStatus(newClock(start, 1), time.Minute)}
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

// fakeRoom answers a join, then each input with a state; dupe and gap
// bend the state: an extra applied input (a duplicate) or a skipped sequence number.
func fakeRoom(t *testing.T, dupe, gap bool) string {
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
		_ = ws.WriteMessage(websocket.TextMessage, wire.Encode(wire.Message{Type: wire.TypeJoined, Room: "r1", Session: "s1", Player: "p1", Seq: 10}))
		seq := uint64(10)
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				return
			}
			in, err := wire.Decode(b)
			if err != nil {
				return
			}
			seq++
			if gap {
				seq++
			}
			applied := in.Input
			if dupe {
				applied++
			}
			_ = ws.WriteMessage(websocket.TextMessage, wire.Encode(wire.Message{Type: wire.TypeState, Room: "r1", Seq: seq,
				Players: []wire.PlayerState{{Player: "p1", LastInput: in.Input, Applied: applied}}}))
		}
	}))
	t.Cleanup(srv.Close)
	return "ws://" + srv.Listener.Addr().String() + "/ws"
}

// TestVerifyRecovery: a recovered session counts only if the room
// acknowledges the inputs resent, the states run on without a gap, and
// each input was applied once.
func TestVerifyRecovery(t *testing.T) {
	for _, tc := range []struct {
		name      string
		dupe, gap bool
		want      string
	}{
		{"faithful", false, false, ""},
		{"an input applied twice", true, false, "inputs_lost_or_duplicated"},
		{"a state skipped", false, true, "state_gap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The player had sent 3 inputs, the first acknowledged, when it lost its room.
			p := &client.Player{Sent: 3}
			p.Resume(client.Progress{Room: "r1", LastSeq: 10, Acked: 1, Applied: 1})
			ctx := context.Background()
			if err := p.Reconnect(ctx, fakeRoom(t, tc.dupe, tc.gap), ""); err != nil {
				t.Fatal(err)
			}
			defer p.Conn.Drop()
			if got := verify(ctx, p, 5*time.Second); got != tc.want {
				t.Errorf("verify = %q, want %q", got, tc.want)
			}
		})
	}
}
