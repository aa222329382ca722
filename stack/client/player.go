package client

import (
	"context"
	"fmt"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// Player plays one session: it numbers its inputs, tracks what the room
// acknowledged and the last state seen, and resends what is unacknowledged
// after a reconnect, so no input is lost or applied twice.
type Player struct {
	ID      string
	Session string
	Room    string
	LastSeq uint64 // last state seen in Room
	Acked   uint64 // last input the room applied
	Applied uint64 // inputs applied, as the room reports
	Sent    uint64 // last input sent
	Conn    *Conn
	// Dialer connects the player (nil: a Dialer of its own); share one
	// across many players.
	Dialer *Dialer
}

// RefusedError is a room server's error message.
type RefusedError struct{ Msg wire.Message }

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused: %s (%s)", e.Msg.Code, e.Msg.Reason)
}

// Join connects and joins with a token.
func (p *Player) Join(ctx context.Context, url, token string) error {
	return p.connect(ctx, url, wire.Message{Type: wire.TypeJoin, Token: token})
}

// Reconnect resumes the session at url (token: for a different room),
// then resends the inputs the room had not acknowledged.
func (p *Player) Reconnect(ctx context.Context, url, token string) error {
	if err := p.connect(ctx, url, wire.Message{Type: wire.TypeReconnect, Session: p.Session, Seq: p.LastSeq, Token: token}); err != nil {
		return err
	}
	sent := p.Sent
	for n := p.Acked + 1; n <= sent; n++ {
		if err := p.Conn.Send(wire.Message{Type: wire.TypeInput, Input: n}); err != nil {
			return err
		}
	}
	return nil
}

func (p *Player) connect(ctx context.Context, url string, hello wire.Message) error {
	d := p.Dialer
	if d == nil {
		d = NewDialer()
	}
	c, err := d.Dial(ctx, url)
	if err != nil {
		return err
	}
	if err := c.Send(hello); err != nil {
		c.Drop()
		return err
	}
	m, err := c.Next(ctx, wire.TypeJoined, wire.TypeError)
	if err != nil {
		c.Drop()
		return err
	}
	if m.Type == wire.TypeError {
		c.Drop()
		return &RefusedError{Msg: m}
	}
	if m.Room != p.Room {
		p.LastSeq = m.Seq // a new room counts from its own sequence
	}
	p.ID, p.Session, p.Room, p.Conn = m.Player, m.Session, m.Room, c
	return nil
}

// Input sends the next input.
func (p *Player) Input() error {
	p.Sent++
	return p.Conn.Send(wire.Message{Type: wire.TypeInput, Input: p.Sent})
}

// Await reads until the room acknowledges input n, tracking states. A
// gap in the sequence is an error: replay must make it contiguous.
func (p *Player) Await(ctx context.Context, n uint64) error {
	for p.Acked < n {
		m, err := p.Conn.Next(ctx, wire.TypeState, wire.TypeError)
		if err != nil {
			return err
		}
		if m.Type == wire.TypeError {
			return &RefusedError{Msg: m}
		}
		if err := p.observe(m); err != nil {
			return err
		}
	}
	return nil
}

func (p *Player) observe(m wire.Message) error {
	switch {
	case m.Room != p.Room:
		return nil // replayed from the room this player left
	case m.Seq <= p.LastSeq:
		return nil // a state seen before the reconnect
	case p.LastSeq > 0 && m.Seq != p.LastSeq+1:
		return fmt.Errorf("state %d after %d: a gap", m.Seq, p.LastSeq)
	}
	p.LastSeq = m.Seq
	for _, ps := range m.Players {
		if ps.Player == p.ID {
			p.Acked, p.Applied = ps.LastInput, ps.Applied
		}
	}
	return nil
}
