package loadgen

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// TestDrainedRoomIsNotDialledAgain: a player whose room said it is
// draining asks the matchmaker for the match's new room without dialling
// the old one (on a pod network a gone pod's address drops a dial, and
// the wait ate the recovery window); a player whose room just vanished
// dials it, is refused, and then asks.
func TestDrainedRoomIsNotDialledAgain(t *testing.T) {
	newRoom := strings.TrimSuffix(strings.TrimPrefix(fakeRoom(t, false, false), "ws://"), "/ws")
	var rejoins atomic.Int32
	mm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != wire.RejoinPath {
			http.NotFound(w, r)
			return
		}
		rejoins.Add(1)
		_ = json.NewEncoder(w).Encode(wire.Assignment{Match: "m1", Room: "r1", Address: newRoom})
	}))
	t.Cleanup(mm.Close)

	for _, tc := range []struct {
		name        string
		drained     bool
		wantDials   int32
		wantRejoins int32
	}{
		{"the room said it is draining", true, 0, 1},
		{"the room vanished", false, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rejoins.Store(0)
			oldRoom, dials := countingClosedRoom(t)
			g := &generator{start: time.Now(), matchmaker: mm.Listener.Addr().String(), http: &http.Client{Timeout: 5 * time.Second}}
			p := &client.Player{ID: "p1", Sent: 3}
			p.Resume(client.Progress{Room: "r0", LastSeq: 10, Acked: 1, Applied: 1})
			s := session{Window: 10 * time.Second, BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond}
			rc := g.recover(context.Background(), p, wire.Assignment{Match: "m1", Address: oldRoom}, s, tc.drained)
			if p.Conn != nil {
				defer p.Conn.Drop()
			}
			if !rc.OK {
				t.Fatalf("not recovered: %s: %s", rc.Reason, rc.Error)
			}
			if got := dials.Load(); got != tc.wantDials {
				t.Errorf("the old room was dialled %d times, want %d", got, tc.wantDials)
			}
			if got := rejoins.Load(); got != tc.wantRejoins {
				t.Errorf("%d rejoins, want %d", got, tc.wantRejoins)
			}
		})
	}
}

// countingClosedRoom is a room address that accepts a connection and
// closes it at once (a room gone mid-dial), counting the dials.
func countingClosedRoom(t *testing.T) (string, *atomic.Int32) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return l.Addr().String(), &n
}
