package room

import (
	"context"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/stack/client"
)

// disconnects reads room_disconnects_total for cause.
func (r *testRoom) disconnects(cause string) float64 {
	return testutil.ToFloat64(r.srv.metrics.disconnects.WithLabelValues(cause))
}

// TestIdlePlayerKeepsItsConnection: a player that sends no input for three
// read timeouts, while the room pushes 200 states a second, keeps its
// connection: its reader goes on reading and answers the room's pings.
// (The player's client used to stop reading after 64 unread states, so
// the room's read deadline dropped every session whose inputs came less
// often than the deadline: loadgen's scale runs at one input per 10 s
// against a 10 s deadline lost nearly all of them.)
func TestIdlePlayerKeepsItsConnection(t *testing.T) {
	rs := redistest.Start(t)
	cfg := testConfig("idle")
	cfg.Tick, cfg.ReadTimeout = 5*time.Millisecond, time.Second
	r := startRoom(t, rs, cfg, time.Minute, 10_000)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p := &client.Player{}
	if err := p.Join(ctx, r.url, token("idle", "p1", time.Minute)); err != nil {
		t.Fatal(err)
	}
	defer p.Conn.Leave()
	conn := p.Conn
	for range 2 {
		if err := p.Input(); err != nil {
			t.Fatal(err)
		}
		if err := p.Await(ctx, p.Sent); err != nil {
			t.Fatalf("input %d: %v", p.Sent, err)
		}
		time.Sleep(3 * cfg.ReadTimeout)
	}
	if p.Conn != conn || p.Acked() != 2 || p.Applied() != 2 {
		t.Errorf("acked %d, applied %d (want 2, 2) on the first connection: %v", p.Acked(), p.Applied(), p.Conn == conn)
	}
	if n := r.disconnects(causeReadTimeout); n != 0 {
		t.Errorf("room_disconnects_total{cause=read_timeout} = %g, want 0", n)
	}
}

// TestDisconnectCauses: the room counts why each connection ended — a
// silent client reaches the read deadline (read_timeout), one that leaves
// closes normally (left), and one whose send queue is full when a state is
// broadcast is dropped (slow_reader; the queue is filled directly here: how
// much a socket buffers before it is full is the kernel's to say).
func TestDisconnectCauses(t *testing.T) {
	rs := redistest.Start(t)
	cfg := testConfig("causes")
	cfg.ReadTimeout = time.Second
	r := startRoom(t, rs, cfg, time.Minute, 1000)
	silent, _ := r.join(t, "silent")
	silent.ws.SetPingHandler(func(string) error { return nil }) // reads, but answers no ping
	leaver, _ := r.join(t, "leaver")
	leaver.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (r.disconnects(causeReadTimeout) < 1 || r.disconnects(causeLeft) < 1) {
		time.Sleep(20 * time.Millisecond)
	}
	slow := &conn{s: r.srv, send: make(chan *websocket.PreparedMessage), quit: make(chan struct{})}
	slow.push(nil)
	for _, c := range []string{causeReadTimeout, causeLeft, causeSlowReader} {
		if n := r.disconnects(c); n != 1 {
			t.Errorf("room_disconnects_total{cause=%s} = %g, want 1", c, n)
		}
	}
}
