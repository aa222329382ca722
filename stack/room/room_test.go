package room

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"
)

func TestJoinThenContiguousStates(t *testing.T) {
	rs := redistest.Start(t)
	r := startRoom(t, rs, testConfig("room-a"), time.Minute, 1000)
	c, joined := r.join(t, "p1")
	if joined.Type != wire.TypeJoined || joined.Session == "" || joined.Room != "room-a" {
		t.Fatalf("joined %+v", joined)
	}
	prev := joined.Seq
	for range 10 {
		m := c.next(wire.TypeState)
		if m.Seq != prev+1 {
			t.Fatalf("state seq %d after %d", m.Seq, prev)
		}
		prev = m.Seq
	}
	if r.ops.get() != policy.Allocated {
		t.Errorf("opsState %s after a join, want Allocated", r.ops.get())
	}
}

func TestBadTokensRefused(t *testing.T) {
	rs := redistest.Start(t)
	r := startRoom(t, rs, testConfig("room-a"), time.Minute, 1000)
	good := token("room-a", "p1", time.Minute)
	p, sig, _ := strings.Cut(good, ".")
	tampered := p[:len(p)-2] + "xx." + sig
	for tok, code := range map[string]string{
		token("room-b", "p1", time.Minute):  wire.CodeWrongRoom,
		token("room-a", "p1", -time.Second): wire.CodeTokenExpired,
		tampered:                            wire.CodeBadToken,
		"nonsense":                          wire.CodeBadToken,
	} {
		c := dial(t, r.url)
		c.send(wire.Message{Type: wire.TypeJoin, Token: tok})
		if m := c.next(wire.TypeError, wire.TypeJoined); m.Code != code {
			t.Errorf("join with %s token: %+v, want error %s", code, m, code)
		}
		if err := <-c.done; !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
			t.Errorf("after %s: connection ended with %v, want a policy-violation close", code, err)
		}
	}
}

// An oversized message or a flood ends only the offender's connection.
func TestAbuseHurtsOnlyTheAbuser(t *testing.T) {
	rs := redistest.Start(t)
	cfg := testConfig("room-a")
	cfg.RateLimit, cfg.Burst = 20, 20
	r := startRoom(t, rs, cfg, time.Minute, 1000)
	bystander, _ := r.join(t, "bystander")

	big, _ := r.join(t, "big")
	// The server refuses on the frame header, so the rest of the write may
	// meet a reset: the connection ends either way, with 1009 if the close
	// frame arrives first.
	_ = big.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"input","input":1,"data":"`+strings.Repeat("x", 2*wire.MaxMessage)+`"}`))
	select {
	case err := <-big.done:
		var ce *websocket.CloseError
		if errors.As(err, &ce) && ce.Code != websocket.CloseMessageTooBig {
			t.Errorf("oversized message: closed with %d, want 1009", ce.Code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an oversized message did not end the connection")
	}

	flood, _ := r.join(t, "flood")
	for i := uint64(1); i <= 200; i++ {
		if flood.ws.WriteMessage(websocket.TextMessage, wire.Encode(wire.Message{Type: wire.TypeInput, Input: i})) != nil {
			break
		}
	}
	if m := flood.next(wire.TypeError); m.Code != wire.CodeRateLimited {
		t.Errorf("flood: %+v, want %s", m, wire.CodeRateLimited)
	}
	// The bystander still gets every state, in order.
	prev := bystander.next(wire.TypeState).Seq
	for range 10 {
		if m := bystander.next(wire.TypeState); m.Seq != prev+1 {
			t.Fatalf("bystander's states jumped %d → %d", prev, m.Seq)
		} else {
			prev = m.Seq
		}
	}
}

// play sends inputs from..to and waits until the server acknowledges to.
func play(t *testing.T, c *testClient, player string, from, to uint64) wire.Message {
	t.Helper()
	for i := from; i <= to; i++ {
		c.send(wire.Message{Type: wire.TypeInput, Input: i})
	}
	for {
		m := c.next(wire.TypeState)
		for _, p := range m.Players {
			if p.Player == player && p.LastInput == to {
				return m
			}
		}
	}
}

func ack(m wire.Message, player string) wire.PlayerState {
	for _, p := range m.Players {
		if p.Player == player {
			return p
		}
	}
	return wire.PlayerState{}
}

func TestReconnectWithinWindowReplaysAndRestores(t *testing.T) {
	rs := redistest.Start(t)
	r := startRoom(t, rs, testConfig("room-a"), time.Minute, 1000)
	c, joined := r.join(t, "p1")
	last := play(t, c, "p1", 1, 5)
	for i := uint64(6); i <= 8; i++ { // sent, maybe applied, never seen acknowledged
		c.send(wire.Message{Type: wire.TypeInput, Input: i})
	}
	c.drop()
	// Ticks go on while the player is away (counted, not timed).
	testkit.Eventually(t, 10*time.Second, "the room to tick on while the player is away", func() bool {
		r.srv.mu.Lock()
		defer r.srv.mu.Unlock()
		return r.srv.game.seq > last.Seq+5
	})

	c2 := dial(t, r.url)
	c2.send(wire.Message{Type: wire.TypeReconnect, Session: joined.Session, Seq: last.Seq})
	if m := c2.next(wire.TypeJoined, wire.TypeError); m.Type != wire.TypeJoined || m.Session != joined.Session {
		t.Fatalf("reconnect: %+v", m)
	}
	prev := last.Seq
	for range 15 { // the replay, then live states, without a gap or repeat
		m := c2.next(wire.TypeState)
		if m.Seq != prev+1 {
			t.Fatalf("after reconnect: state %d follows %d", m.Seq, prev)
		}
		prev = m.Seq
	}
	// Resend everything unacknowledged: the server ignores what it applied.
	final := play(t, c2, "p1", ack(last, "p1").LastInput+1, 12)
	if p := ack(final, "p1"); p.Applied != 12 || p.LastInput != 12 {
		t.Errorf("after reconnect and resend: %+v, want 12 inputs applied once each", p)
	}
}

func TestReconnectRefusals(t *testing.T) {
	rs := redistest.Start(t)
	r := startRoom(t, rs, testConfig("room-a"), 300*time.Millisecond, 5)
	reconnect := func(session string, seq uint64) wire.Message {
		c := dial(t, r.url)
		c.send(wire.Message{Type: wire.TypeReconnect, Session: session, Seq: seq})
		return c.next(wire.TypeError, wire.TypeJoined)
	}
	if m := reconnect("no-such-session", 1); m.Code != wire.CodeUnknownSession {
		t.Errorf("unknown session: %+v", m)
	}
	c, joined := r.join(t, "p1")
	seen := c.next(wire.TypeState).Seq
	c.drop()
	// Wait for more ticks than the 5 the stream keeps (counted, not
	// timed: a loaded machine ticks late).
	testkit.Eventually(t, 10*time.Second, "the room to tick past its stream", func() bool {
		r.srv.mu.Lock()
		defer r.srv.mu.Unlock()
		return r.srv.game.seq > seen+7
	})
	if m := reconnect(joined.Session, seen); m.Code != wire.CodeStreamTrimmed {
		t.Errorf("missed more than the stream keeps: %+v", m)
	}
	// Leave the room alone until the window closes on the session.
	r.kill()
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr})
	defer rdb.Close()
	store := NewStore(rdb, 300*time.Millisecond, 5)
	testkit.Eventually(t, 10*time.Second, "the session's recovery window to close", func() bool {
		_, err := store.Load(context.Background(), joined.Session)
		return errors.Is(err, ErrWindowExpired)
	})
	r2 := startRoom(t, rs, testConfig("room-a"), 300*time.Millisecond, 5)
	c3 := dial(t, r2.url)
	c3.send(wire.Message{Type: wire.TypeReconnect, Session: joined.Session, Seq: seen})
	if m := c3.next(wire.TypeError, wire.TypeJoined); m.Code != wire.CodeWindowExpired {
		t.Errorf("after the window: %+v", m)
	}
}

func TestDrainSendsPlayersElsewhereWithState(t *testing.T) {
	rs := redistest.Start(t)
	a := startRoom(t, rs, testConfig("room-a"), time.Minute, 1000)
	b := startRoom(t, rs, testConfig("room-b"), time.Minute, 1000)
	players := map[string]*testClient{}
	sessions := map[string]string{}
	for _, p := range []string{"p1", "p2", "p3"} {
		c, joined := a.join(t, p)
		play(t, c, p, 1, 7)
		players[p], sessions[p] = c, joined.Session
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a.srv.Drain(ctx)
	for p, c := range players {
		m := c.next(wire.TypeError)
		if m.Code != wire.CodeDraining || m.RetryAfterMs != 250 {
			t.Fatalf("%s at drain: %+v", p, m)
		}
		// The matchmaker would hand out room-b with a token for it.
		c2 := dial(t, b.url)
		c2.send(wire.Message{Type: wire.TypeReconnect, Session: sessions[p], Token: token("room-b", p, time.Minute)})
		if j := c2.next(wire.TypeJoined, wire.TypeError); j.Type != wire.TypeJoined || j.Room != "room-b" {
			t.Fatalf("%s rejoining: %+v", p, j)
		}
		if st := play(t, c2, p, 8, 8); ack(st, p).Applied != 8 {
			t.Errorf("%s in room-b: %+v, want its 7 inputs kept and the 8th applied", p, ack(st, p))
		}
	}
}

func TestAbandonedMatchFreesTheRoom(t *testing.T) {
	rs := redistest.Start(t)
	r := startRoom(t, rs, testConfig("room-a"), 300*time.Millisecond, 1000)
	c, _ := r.join(t, "p1")
	c.next(wire.TypeState)
	if r.ops.get() != policy.Allocated {
		t.Fatalf("opsState %s after a join", r.ops.get())
	}
	c.drop()
	testkit.Eventually(t, 5*time.Second, "a room whose only player vanished past the window to be free", func() bool { return r.ops.get() == policy.None })
}

func TestUnusedAllocationIsReclaimed(t *testing.T) {
	rs := redistest.Start(t)
	cfg := testConfig("room-a")
	cfg.ClaimTimeout = 200 * time.Millisecond
	r := startRoom(t, rs, cfg, time.Minute, 1000)
	testkit.Eventually(t, 10*time.Second, "the room to publish itself None", func() bool {
		_, v, _ := r.ops.Observe(context.Background())
		return v != "0"
	})
	r.ops.allocate() // the matchmaker claims the room; nobody comes
	testkit.Eventually(t, 5*time.Second, "an allocation nobody used to be reclaimed", func() bool { return r.ops.get() == policy.None })
	// A room in use is never reclaimed.
	r.ops.allocate()
	c, _ := r.join(t, "p1")
	c.next(wire.TypeState)
	testkit.Stays(t, 500*time.Millisecond, "a room in use Allocated", func() bool { return r.ops.get() == policy.Allocated })
}

// A room server that starts on an object a room server already published
// (restarted in place, its match lost from memory) marks it Kill, is
// never Ready and seats nobody: the room never serves a second match.
func TestRestartInPlaceRetiresTheRoom(t *testing.T) {
	rs := redistest.Start(t)
	first := startRoom(t, rs, testConfig("room-a"), time.Minute, 1000)
	testkit.Eventually(t, 10*time.Second, "the first room server to publish its room", func() bool {
		published, _ := first.ops.Published(context.Background())
		return published
	})
	first.ops.allocate()
	c, _ := first.join(t, "p1")
	c.next(wire.TypeState)
	first.kill()

	again := startRoomOn(t, rs, testConfig("room-a"), first.ops)
	testkit.Eventually(t, 5*time.Second, "a room restarted in place to be marked Kill", func() bool { return again.ops.get() == policy.Kill })
	testkit.Stays(t, 200*time.Millisecond, "a restarted room at Kill", func() bool { return again.ops.get() == policy.Kill })
	if resp, err := again.http.Client().Get(again.http.URL + "/readyz"); err != nil || resp.StatusCode != 503 {
		t.Errorf("readyz after a restart in place: %v %v, want 503", resp, err)
	}
	// A player is turned away before the WebSocket upgrade, as by a drain.
	_, resp, err := websocket.DefaultDialer.Dial(again.url, nil)
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Errorf("a dial after a restart in place: %v (%v), want 503", err, resp)
	}
}

// A room with a startup to wait (a pod startup kind does not realize)
// publishes nothing and is not Ready until it has passed.
func TestStartupDelaysTheRoomsFirstPublish(t *testing.T) {
	rs := redistest.Start(t)
	cfg := testConfig("room-a")
	cfg.Startup = 3 * time.Second
	r := startRoom(t, rs, cfg, time.Minute, 1000)
	ready := func() bool {
		resp, err := r.http.Client().Get(r.http.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}
	testkit.Stays(t, time.Second, "a starting room unpublished and not Ready", func() bool {
		published, _ := r.ops.Published(context.Background())
		return !published && !ready()
	})
	testkit.Eventually(t, 10*time.Second, "the room Ready once its startup passed", ready)
}

// Under OpenKruiseGame a room idle for the idle timeout marks itself
// WaitToBeDeleted; an allocated room, or one that was allocated and
// freed again, starts its idle time over.
func TestIdleRoomRetiresItself(t *testing.T) {
	rs := redistest.Start(t)
	cfg := testConfig("room-a")
	cfg.IdleTimeout = 400 * time.Millisecond
	r := startRoom(t, rs, cfg, 300*time.Millisecond, 1000)
	testkit.Eventually(t, 10*time.Second, "the room to publish itself None", func() bool {
		_, v, _ := r.ops.Observe(context.Background())
		return v != "0"
	})
	c, _ := r.join(t, "p1") // a match: the room is not idle
	c.next(wire.TypeState)
	testkit.Stays(t, time.Second, "a room in use Allocated", func() bool { return r.ops.get() == policy.Allocated })
	c.drop() // abandoned past the window: None again, its idle time from now
	testkit.Eventually(t, 5*time.Second, "the abandoned room to be free", func() bool { return r.ops.get() == policy.None })
	testkit.Eventually(t, 5*time.Second, "the idle room to retire", func() bool { return r.ops.get() == policy.WaitToBeDeleted })
}
