package room

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// TestLoadFailsFastWhileRedisIsDown: a session read while Redis is down
// dials twice (one retry) and then refuses, so the player's own backoff
// decides when it tries again. With go-redis's defaults it dialed 4 times
// over about 1.7 s, which moved a Redis restart's reconnects off the
// model's schedule (5 s measured against 7 s known).
func TestLoadFailsFastWhileRedisIsDown(t *testing.T) {
	srv := redistest.Start(t)
	opts := RedisOptions(srv.Addr)
	var dials atomic.Int32
	var d net.Dialer
	opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	st := NewStore(rdb, time.Minute, 100)
	ctx := context.Background()
	if _, err := st.Load(ctx, "p1"); !errors.Is(err, ErrUnknownSession) {
		t.Fatalf("load with Redis up: %v", err)
	}
	srv.Stop()
	dials.Store(0)
	_, err := st.Load(ctx, "p1")
	if err == nil || errors.Is(err, ErrUnknownSession) {
		t.Fatalf("load with Redis down: %v, want a store error", err)
	}
	if n := dials.Load(); n != 2 {
		t.Errorf("a read while Redis is down dialed %d times, want 2 (one retry)", n)
	}
}

func TestRedisRestart(t *testing.T) {
	rs := redistest.Start(t)
	r := startRoom(t, rs, testConfig("room-a"), time.Minute, 1000)
	c, joined := r.join(t, "p1")
	play(t, c, "p1", 1, 3)
	rs.Stop()
	// The room must have seen a tick fail: that is what has it rewrite
	// every session once Redis is back (empty).
	testkit.Eventually(t, 10*time.Second, "a tick to fail while Redis is down", func() bool { return storeErrors(t, r) > 0 })
	// While Redis is down nothing is acknowledged and reconnects are told to retry.
	c.send(wire.Message{Type: wire.TypeInput, Input: 4})
	probe := dial(t, r.url)
	probe.send(wire.Message{Type: wire.TypeReconnect, Session: joined.Session, Seq: 1})
	if m := probe.next(wire.TypeError, wire.TypeJoined); m.Code != wire.CodeUnavailable {
		t.Errorf("reconnect while Redis is down: %+v", m)
	}
	rs.Restart(0)
	// Back: states flow again and the session is rewritten from memory.
	if st := play(t, c, "p1", 5, 5); ack(st, "p1").Applied != 5 {
		t.Errorf("after the restart: %+v", ack(st, "p1"))
	}
	c.drop()
	c2 := dial(t, r.url)
	c2.send(wire.Message{Type: wire.TypeReconnect, Session: joined.Session})
	if m := c2.next(wire.TypeJoined, wire.TypeError); m.Type != wire.TypeJoined {
		t.Errorf("reconnect after the restart: %+v", m)
	}
}

// storeErrors is the room's room_store_errors_total: ticks not stored.
func storeErrors(t *testing.T, r *testRoom) float64 {
	t.Helper()
	families, err := r.srv.metrics.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "room_store_errors_total" && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("no room_store_errors_total among the room's metrics")
	return 0
}
