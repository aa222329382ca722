package room

import (
	"context"
	"errors"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// storeTimeout bounds a session read on the reconnect path.
const storeTimeout = 2 * time.Second

// join seats a player with a token for this room.
func (s *Server) join(c *conn, token string) bool {
	claims, ok := s.verify(c, token)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining {
		s.metrics.joins.WithLabelValues(wire.CodeDraining).Inc()
		c.refuse(wire.CodeDraining, "room server shutting down", websocket.CloseTryAgainLater)
		return false
	}
	p, err := s.game.seat(claims.Player, claims.Match, nil)
	if err != nil {
		s.metrics.joins.WithLabelValues(wire.CodeRoomFull).Inc()
		c.refuse(wire.CodeRoomFull, err.Error(), websocket.CloseTryAgainLater)
		return false
	}
	s.attach(c, p)
	c.sendNow(wire.Encode(wire.Message{Type: wire.TypeJoined, Room: s.cfg.Room, Player: p.sess.Player, Session: p.sess.ID, Seq: s.game.seq}))
	s.metrics.joins.WithLabelValues("ok").Inc()
	return true
}

// verify checks a join token and that it names this room.
func (s *Server) verify(c *conn, token string) (wire.Claims, bool) {
	claims, err := wire.Verify(s.cfg.Key, token, time.Now())
	code := ""
	switch {
	case errors.Is(err, wire.ErrExpired):
		code = wire.CodeTokenExpired
	case err != nil:
		code = wire.CodeBadToken
	case claims.Room != s.cfg.Room:
		code, err = wire.CodeWrongRoom, errors.New("token is for room "+claims.Room)
	}
	if code != "" {
		s.metrics.joins.WithLabelValues(code).Inc()
		c.refuse(code, err.Error(), websocket.ClosePolicyViolation)
		return claims, false
	}
	return claims, true
}

// reconnect restores a session: from this room's memory, or from Redis
// when the player comes from another room (which needs a token for this
// one). It replays the states after seq, then goes live.
func (s *Server) reconnect(c *conn, id, token string, seq uint64) bool {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	sess, err := s.store.Load(ctx, id)
	if err != nil {
		code := wire.CodeUnavailable
		switch {
		case errors.Is(err, ErrWindowExpired):
			code = wire.CodeWindowExpired
		case errors.Is(err, ErrUnknownSession):
			code = wire.CodeUnknownSession
		}
		s.metrics.reconnects.WithLabelValues(code).Inc()
		c.refuse(code, err.Error(), websocket.ClosePolicyViolation)
		return false
	}
	fromRoom := sess.Room
	// Answer why not before seating the player: the replay must exist.
	if _, err := s.store.Replay(ctx, fromRoom, seq); err != nil {
		s.refuseReplay(c, err)
		return false
	}
	if fromRoom != s.cfg.Room {
		claims, ok := s.verify(c, token)
		if !ok {
			return false
		}
		if claims.Player != sess.Player {
			c.refuse(wire.CodeBadToken, "token is for another player", websocket.ClosePolicyViolation)
			return false
		}
	}
	s.mu.Lock()
	if s.draining {
		s.mu.Unlock()
		c.refuse(wire.CodeDraining, "room server shutting down", websocket.CloseTryAgainLater)
		return false
	}
	p, err := s.game.seat(sess.Player, sess.Match, &sess)
	if err != nil {
		s.mu.Unlock()
		c.refuse(wire.CodeRoomFull, err.Error(), websocket.CloseTryAgainLater)
		return false
	}
	s.attach(c, p)
	c.hold = true
	current := s.game.seq
	c.sendNow(wire.Encode(wire.Message{Type: wire.TypeJoined, Room: s.cfg.Room, Player: p.sess.Player, Session: p.sess.ID, Seq: current}))
	s.mu.Unlock()

	// Read again: ticks since the check are in Redis now, later ones held.
	// The player is seated: this read gets a budget of its own rather
	// than what the checks left (a storm of reconnects slows each one).
	replayCtx, cancelReplay := context.WithTimeout(context.Background(), storeTimeout)
	defer cancelReplay()
	missed, err := s.store.Replay(replayCtx, fromRoom, seq)
	if err != nil {
		s.refuseReplay(c, err)
		return false
	}
	for i, m := range missed {
		// In this room, states after `current` arrive live (held meanwhile).
		if fromRoom == s.cfg.Room && seq+uint64(i)+1 > current {
			break
		}
		c.sendNow(m)
	}
	s.mu.Lock()
	for _, pm := range c.held {
		c.push(pm)
	}
	c.hold, c.held = false, nil
	s.mu.Unlock()
	s.metrics.reconnects.WithLabelValues("ok").Inc()
	return true
}

func (s *Server) refuseReplay(c *conn, err error) {
	code := wire.CodeUnavailable
	if errors.Is(err, ErrStreamTrimmed) {
		code = wire.CodeStreamTrimmed
	}
	s.metrics.reconnects.WithLabelValues(code).Inc()
	c.refuse(code, err.Error(), websocket.ClosePolicyViolation)
}

// attach gives a seat its connection, closing a stale one (s.mu held).
func (s *Server) attach(c *conn, p *player) {
	if old := p.conn; old != nil && old != c {
		old.player = nil
		old.stop(websocket.ClosePolicyViolation, causeReplaced)
	} else if old == nil {
		s.metrics.players.Inc()
	}
	p.conn, c.player = c, p
	s.setOps(policy.Allocated)
}

// input applies one input; a gap is reported and the connection stays.
func (s *Server) input(c *conn, n uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	applied, err := s.game.apply(c.player, n)
	if err != nil {
		c.s.metrics.refused.WithLabelValues(wire.CodeInputGap).Inc()
		c.sendNow(wire.Encode(wire.Message{Type: wire.TypeError, Code: wire.CodeInputGap, Reason: err.Error(), Input: c.player.sess.LastInput}))
		return true
	}
	if applied {
		s.metrics.inputs.Inc()
	}
	return true
}

// detach ends a connection: a player who left ends the session; one who
// dropped keeps it for a reconnect within the window.
func (s *Server) detach(c *conn, left bool) {
	s.mu.Lock()
	delete(s.conns, c)
	if p := c.player; p != nil && p.conn == c {
		p.conn = nil
		p.left = p.left || left
		s.metrics.players.Dec()
	}
	s.mu.Unlock()
	c.stop(websocket.CloseNormalClosure, "")
}
