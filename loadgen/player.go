package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// session is what one player does, in wall-clock terms (the scenario's
// times already divided by its speedup).
type session struct {
	// Length is the time in the room: the match's (g.lengths) unless set.
	Length      time.Duration
	InputEvery  time.Duration // how often the player sends an input
	BackoffBase time.Duration // reconnect backoff, doubling, capped
	BackoffMax  time.Duration
	Jitter      float64       // the fraction of a backoff taken off at random
	Window      time.Duration // the recovery window: give up after it
	// DropAt cuts the player's connection once, at this fraction of the
	// session (0: never), as the model's players.disconnect does.
	DropAt float64
	// jitter draws the backoffs' jitter (nil: none).
	jitter *rand.Rand
}

// play runs one player from its arrival to leaving the room.
func (g *generator) play(ctx context.Context, a Arrival, s session) (o Outcome) {
	o = Outcome{Index: a.Index, Player: fmt.Sprintf("p%d", a.Index), Late: a.Late.Seconds(), At: a.Intended.Sub(g.start).Seconds()}
	asg, err := g.matchmakerClient().Match(ctx, o.Player)
	if err != nil {
		o.Failure, o.Match = failureKind(err), asg.Match
		o.Interrupted = ctx.Err() != nil // the run ended while it waited
		return o
	}
	o.MatchWait, o.AllocWait, o.Room, o.Match, o.Waited = ms(asg.MatchWaitMs), ms(asg.AllocWaitMs), asg.Room, asg.Match, asg.Waited
	if err := g.targets.check("room", asg.Address); err != nil {
		o.Failure = "remote_refused"
		return o
	}
	connectStart := time.Now()
	p := &client.Player{Dialer: g.dialer}
	if err := p.Join(ctx, "ws://"+asg.Address+"/ws", asg.Token); err != nil {
		o.Failure = "connect"
		return o
	}
	o.Connect = time.Since(connectStart).Seconds()
	o.TimeToRoom = time.Since(a.Intended).Seconds()
	g.status.joined(o.TimeToRoom)
	defer g.status.inRoom.Add(-1)

	if s.Length == 0 {
		s.Length = g.lengths.of(asg.Match)
	}
	leave := time.After(s.Length)
	var drop <-chan time.Time
	if s.DropAt > 0 {
		drop = time.After(time.Duration(s.DropAt * float64(s.Length)))
	}
	tick := time.NewTicker(s.InputEvery)
	defer tick.Stop()
	// reconnect recovers the session; false ends the player. A run
	// interrupted mid-recovery is not the fleet's failure: it is marked,
	// not counted as a failed recovery.
	reconnect := func() bool {
		rc := g.recover(ctx, p, asg, s)
		if ctx.Err() != nil && !rc.OK {
			o.Interrupted = true
			return false
		}
		o.Reconnects = append(o.Reconnects, rc)
		return rc.OK
	}
	defer func() { o.Inputs = p.Acked }() // o is the named result: set after each return
	for {
		select {
		case <-ctx.Done():
			p.Conn.Leave()
			o.Interrupted = true
			return o
		case <-leave:
			p.Conn.Leave()
			return o
		case <-drop:
			p.Conn.Drop() // the network fails under the player
			if !reconnect() {
				return o
			}
			continue
		case <-tick.C:
		}
		if err := p.Input(); err == nil {
			if err = g.await(ctx, p, s.InputEvery); err == nil {
				continue
			}
		}
		if ctx.Err() != nil {
			o.Interrupted = true
			return o
		}
		if !reconnect() {
			return o
		}
	}
}

// await waits briefly for the last input's acknowledgement; a dead
// connection or a server's error ends it.
func (g *generator) await(ctx context.Context, p *client.Player, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, max(within, time.Second))
	defer cancel()
	err := p.Await(ctx, p.Sent)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil // slow, not gone: the ack comes with a later state
	}
	return err
}

// recover reconnects after a disconnect: to the same room, or, when the
// room said it is draining (or is gone), to the match's new room. It
// backs off between attempts and gives up after the recovery window.
func (g *generator) recover(ctx context.Context, p *client.Player, asg wire.Assignment, s session) Reconnect {
	start := time.Now()
	g.status.reconnects.Add(1)
	done := func(ok bool, reason string) Reconnect {
		return Reconnect{At: start.Sub(g.start).Seconds(), Latency: time.Since(start).Seconds(), OK: ok, Reason: reason}
	}
	url, token := "ws://"+asg.Address+"/ws", ""
	var lastReason string
	// moved: the last attempt learned the match's new room, which is tried
	// at once; backing off (backoff(n) before the n-th wait, as the
	// model's) is for retrying a room that did not answer.
	moved, waits := false, 0
	// waited and rejoined split the latency for the calibration: what is
	// neither backoff nor the last handshake is the rejoin's cost, a
	// fixed one unless the match had to wait for a room (which the model
	// predicts; such a reconnect is no sample).
	var waited time.Duration
	rejoined, roomWait := false, false
	for time.Since(start) < s.Window {
		if !moved {
			wait := s.backoff(waits)
			select {
			case <-ctx.Done():
				return done(false, "cancelled")
			case <-time.After(wait):
			}
			waited += wait
			waits++
		}
		moved = false
		dialed := time.Now()
		err := p.Reconnect(ctx, url, token)
		if err == nil {
			reason := verify(ctx, p, s.Window-time.Since(start))
			if reason == wire.CodeUnavailable {
				// Seated, then the replay read failed: the store is
				// slow or down, the session intact; retry as above.
				p.Conn.Drop()
				lastReason = reason
				continue
			}
			if reason != "" {
				p.Conn.Drop()
				return done(false, reason)
			}
			rc := done(true, "")
			rc.Handshake = time.Since(dialed).Seconds()
			if rejoined && !roomWait {
				rc.Rejoin = max(0, rc.Latency-waited.Seconds()-rc.Handshake)
			}
			return rc
		}
		var refused *client.RefusedError
		switch {
		case errors.As(err, &refused) && (refused.Msg.Code == wire.CodeWindowExpired || refused.Msg.Code == wire.CodeUnknownSession || refused.Msg.Code == wire.CodeStreamTrimmed):
			return done(false, refused.Msg.Code)
		case errors.As(err, &refused) && refused.Msg.Code == wire.CodeUnavailable:
			lastReason = refused.Msg.Code // the session store is down: retry
		default:
			// The room is gone or draining: the match gets another room.
			lastReason = "room_gone"
			rejoined = true
			if again, rerr := g.matchmakerClient().Rejoin(ctx, p.ID, asg.Match); rerr == nil && g.targets.check("room", again.Address) == nil {
				roomWait = roomWait || again.Waited
				next := "ws://" + again.Address + "/ws"
				moved = next != url // a new room: no reason to wait
				url, token = next, again.Token
			} else {
				lastReason = failureKind(rerr)
			}
		}
	}
	return done(false, "window_expired_"+lastReason)
}

// backoff is the delay before reconnect attempt n (0-based), as the
// model's: min(max, base·2^n) with up to Jitter of it taken off, so that
// a room's players do not all come back in the same instant.
func (s session) backoff(n int) time.Duration {
	u := 0.0
	if s.jitter != nil {
		u = s.jitter.Float64()
	}
	return time.Duration(policy.Backoff(s.BackoffBase.Seconds(), s.BackoffMax.Seconds(), n, s.Jitter, u) * float64(time.Second))
}

// verify checks the recovered session against what the player did: the
// room acknowledges every input sent (the unacknowledged ones were resent
// by Reconnect), the states continue without a gap, and the room applied
// each input exactly once (inputs are numbered from 1, so the count
// applied equals the last one). It returns why not, or "".
func verify(ctx context.Context, p *client.Player, within time.Duration) string {
	ctx, cancel := context.WithTimeout(ctx, max(within, time.Second))
	defer cancel()
	var refused *client.RefusedError
	switch err := p.Await(ctx, p.Sent); {
	case err == nil:
	case errors.As(err, &refused):
		return refused.Msg.Code
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return "inputs_unacknowledged"
	case errors.Is(err, client.ErrClosed):
		return "closed_after_rejoin"
	default:
		return "state_gap"
	}
	if p.Applied != p.Acked {
		return "inputs_lost_or_duplicated"
	}
	return ""
}

// failureKind names why a player got no room, by kind.
func failureKind(err error) string {
	var se client.StatusError
	switch {
	case errors.As(err, &se) && se.Code == http.StatusServiceUnavailable:
		return "no_room"
	case errors.As(err, &se) && se.Code == http.StatusTooManyRequests:
		return "queue_full"
	case errors.As(err, &se):
		return fmt.Sprintf("http_%d", se.Code)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	}
	return "unreachable"
}

func ms(v int64) float64 { return float64(v) / 1000 }

// matchmakerClient is the players' client of the matchmaker's API.
func (g *generator) matchmakerClient() client.Matchmaker {
	return client.Matchmaker{HTTP: g.http, Addr: g.matchmaker}
}
