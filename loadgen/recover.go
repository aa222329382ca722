package loadgen

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// draining reports whether a session ended because its room said it is
// shutting down: such a room will not take the player back, so the
// player asks the matchmaker for the match's new room at once (after its
// first backoff) instead of dialling the room first.
//
// Why: a drained room's pod is gone moments after it says so, and on a
// pod network a gone pod's address does not refuse a dial, it drops it;
// the player then waited out the dial instead of asking for the new room.
func draining(err error) bool {
	var refused *client.RefusedError
	return errors.As(err, &refused) && refused.Msg.Code == wire.CodeDraining
}

// recover reconnects after a disconnect: to the same room, or, when the
// room said it is draining (or is gone), to the match's new room. It
// backs off between attempts and gives up after the recovery window.
func (g *generator) recover(ctx context.Context, p *client.Player, asg wire.Assignment, s session, drained bool) Reconnect {
	r := reconnecting{g: g, p: p, s: s, start: time.Now(), match: asg.Match,
		url: "ws://" + asg.Address + "/ws", gone: drained}
	return r.run(ctx)
}

// reconnecting is one player's reconnect attempts after one disconnect.
type reconnecting struct {
	g     *generator
	p     *client.Player
	s     session
	start time.Time
	match string

	url, token string
	// gone: the room will not take the player back (it said it is
	// draining, or a dial failed); the next step asks the matchmaker.
	gone bool
	// moved: the matchmaker named a new room, which is dialled at once;
	// backing off (backoff(n) before the n-th wait, as the model's) is
	// for retrying a room that did not answer.
	moved bool
	waits int
	// waited and rejoined split the latency for the calibration: what is
	// neither backoff nor the last handshake is the rejoin's cost, a
	// fixed one unless the match had to wait for a room (which the model
	// predicts; such a reconnect is no sample).
	waited             time.Duration
	rejoined, roomWait bool
	lastReason         string
	lastErr            error
}

func (r *reconnecting) run(ctx context.Context) Reconnect {
	for time.Since(r.start) < r.s.Window {
		if !r.moved {
			wait := r.s.backoff(r.waits)
			select {
			case <-ctx.Done():
				return r.done(false, "cancelled")
			case <-time.After(wait):
			}
			r.waited += wait
			r.waits++
		}
		r.moved = false
		if r.gone {
			r.gone = false
			r.rejoin(ctx)
			if r.moved {
				continue // dial the new room at once
			}
		}
		dialed := time.Now()
		err := r.p.Reconnect(ctx, r.url, r.token)
		if err == nil {
			reason := verify(ctx, r.p, r.s.Window-time.Since(r.start))
			if reason == wire.CodeUnavailable {
				// Seated, then the replay read failed: the store is
				// slow or down, the session intact; retry as above.
				r.p.Conn.Drop()
				r.lastReason = reason
				continue
			}
			if reason != "" {
				r.p.Conn.Drop()
				return r.done(false, reason)
			}
			rc := r.done(true, "")
			rc.Handshake = time.Since(dialed).Seconds()
			if r.rejoined && !r.roomWait {
				rc.Rejoin = max(0, rc.Latency-r.waited.Seconds()-rc.Handshake)
			}
			return rc
		}
		r.lastErr = fmt.Errorf("%s: %w", r.url, err)
		var refused *client.RefusedError
		switch {
		case errors.As(err, &refused) && (refused.Msg.Code == wire.CodeWindowExpired || refused.Msg.Code == wire.CodeUnknownSession || refused.Msg.Code == wire.CodeStreamTrimmed):
			return r.done(false, refused.Msg.Code)
		case errors.As(err, &refused) && refused.Msg.Code == wire.CodeUnavailable:
			r.lastReason = refused.Msg.Code // the session store is down: retry
		default:
			// The room is gone or draining: the match gets another room.
			r.lastReason = "room_gone"
			r.rejoin(ctx)
		}
	}
	return r.done(false, "window_expired_"+r.lastReason)
}

// rejoin asks the matchmaker for the match's room; a room other than the
// one last dialled is dialled at once.
func (r *reconnecting) rejoin(ctx context.Context) {
	r.rejoined = true
	again, err := r.g.matchmakerClient().Rejoin(ctx, r.p.ID, r.match)
	if err == nil {
		err = r.g.targets.check("room", again.Address)
	}
	if err != nil {
		r.lastReason = failureKind(err)
		r.lastErr = fmt.Errorf("rejoin: %w", err)
		return
	}
	r.roomWait = r.roomWait || again.Waited
	next := "ws://" + again.Address + "/ws"
	r.moved = next != r.url
	r.url, r.token = next, again.Token
}

func (r *reconnecting) done(ok bool, reason string) Reconnect {
	rc := Reconnect{At: r.start.Sub(r.g.start).Seconds(), Latency: time.Since(r.start).Seconds(), OK: ok, Reason: reason}
	if !ok && r.lastErr != nil {
		rc.Error = r.lastErr.Error()
	}
	return rc
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
	if p.Applied() != p.Acked() {
		return "inputs_lost_or_duplicated"
	}
	return ""
}
