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
