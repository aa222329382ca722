package room

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// failingReplays fails the n-th XRANGE from now (1: the next), as a store
// too slow to answer within the room's budget does.
type failingReplays struct{ countdown atomic.Int32 }

func (f *failingReplays) DialHook(next redis.DialHook) redis.DialHook { return next }
func (f *failingReplays) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (f *failingReplays) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "xrange" && f.countdown.Add(-1) == 0 {
			err := errors.New("injected: store too slow")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

// A replay read that fails after the player was seated is told as
// "unavailable" (retry), and the retry finds the session whole: a storm of
// reconnects against a slow store must not lose or double an input.
func TestReplayFailingAfterSeatingIsRetried(t *testing.T) {
	rs := redistest.Start(t)
	a := startRoom(t, rs, testConfig("room-a"), time.Minute, 1000)
	slow := &failingReplays{}
	b := startRoom(t, rs, testConfig("room-b"), time.Minute, 1000, slow)
	c, joined := a.join(t, "p1")
	last := play(t, c, "p1", 1, 5)
	a.kill()

	slow.countdown.Store(2) // the check passes, the read after seating fails
	c1 := dial(t, b.url)
	c1.send(wire.Message{Type: wire.TypeReconnect, Session: joined.Session, Seq: last.Seq, Token: token("room-b", "p1", time.Minute)})
	if m := c1.next(wire.TypeJoined, wire.TypeError); m.Type != wire.TypeJoined {
		t.Fatalf("first reconnect: %+v, want joined before the failing read", m)
	}
	if m := c1.next(wire.TypeError); m.Code != wire.CodeUnavailable {
		t.Fatalf("after the failing read: %+v, want %s", m, wire.CodeUnavailable)
	}

	c2 := dial(t, b.url)
	c2.send(wire.Message{Type: wire.TypeReconnect, Session: joined.Session, Seq: last.Seq, Token: token("room-b", "p1", time.Minute)})
	if m := c2.next(wire.TypeJoined, wire.TypeError); m.Type != wire.TypeJoined || m.Room != "room-b" {
		t.Fatalf("retry: %+v", m)
	}
	if st := play(t, c2, "p1", 6, 6); ack(st, "p1").Applied != 6 {
		t.Errorf("after the retry: %+v, want 5 inputs kept and the 6th applied once", ack(st, "p1"))
	}
}
