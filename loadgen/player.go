package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/fleetbench/fleetbench/loadgen/guard"
	"github.com/fleetbench/fleetbench/stack/client"
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
	reconnect := func(cause error) bool {
		rc := g.recover(ctx, p, asg, s, draining(cause))
		if ctx.Err() != nil && !rc.OK {
			o.Interrupted = true
			return false
		}
		o.Reconnects = append(o.Reconnects, rc)
		return rc.OK
	}
	defer func() { o.Inputs, o.Sent = p.Acked(), p.Sent }() // o is the named result: set after each return
	var free time.Time                                      // when the last input's await ended: waiting for the room is not lateness
	for {
		var due time.Time
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
			if !reconnect(nil) {
				return o
			}
			continue
		case due = <-tick.C: // the tick's due time, however late it is received
		}
		if free.After(due) {
			due = free
		}
		if time.Since(due).Seconds() > guard.Late {
			o.InputsLate++
		}
		err := p.Input()
		if err == nil {
			err = g.await(ctx, p, s.InputEvery)
			free = time.Now()
			if err == nil {
				continue
			}
		} else {
			// The room closed first: what it said before closing (a
			// draining room's message) is still queued, and says where
			// to go next.
			err = errors.Join(err, g.await(ctx, p, time.Second))
		}
		if ctx.Err() != nil {
			o.Interrupted = true
			return o
		}
		if !reconnect(err) {
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
