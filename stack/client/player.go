package client

import (
	"context"
	"fmt"
	"sync"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// Player plays one session: it numbers its inputs, tracks what the room
// acknowledged and the last state seen, and resends what is unacknowledged
// after a reconnect, so no input is lost or applied twice. Its connection's
// reader observes every state as it arrives (see Conn), so a player that
// idles between inputs still reads, and answers the room's pings.
type Player struct {
	ID      string
	Session string
	Room    string
	Sent    uint64 // last input sent
	Conn    *Conn
	// Dialer connects the player (nil: a Dialer of its own); share one
	// across many players.
	Dialer *Dialer

	mu      sync.Mutex
	gen     uint64 // the connection being observed; older ones are ignored
	id      string // this player in the room's states, from its joined message
	room    string // the room the states count in, from its joined message
	lastSeq uint64
	acked   uint64
	applied uint64
	err     error         // a gap or the room's error on this connection
	changed chan struct{} // closed when acked or err changes
}

// LastSeq is the last state seen in Room.
func (p *Player) LastSeq() uint64 { p.mu.Lock(); defer p.mu.Unlock(); return p.lastSeq }

// Acked is the last input the room applied.
func (p *Player) Acked() uint64 { p.mu.Lock(); defer p.mu.Unlock(); return p.acked }

// Applied is how many inputs the room applied, as it reports.
func (p *Player) Applied() uint64 { p.mu.Lock(); defer p.mu.Unlock(); return p.applied }

// Progress is how far a player's session got: what Reconnect resumes.
type Progress struct {
	Room                    string
	LastSeq, Acked, Applied uint64
}

// Resume sets the progress of a session this Player did not play itself
// (one handed over, or a test's), before Reconnect.
func (p *Player) Resume(pr Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Room, p.room, p.lastSeq, p.acked, p.applied = pr.Room, pr.Room, pr.LastSeq, pr.Acked, pr.Applied
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
	if err := p.connect(ctx, url, wire.Message{Type: wire.TypeReconnect, Session: p.Session, Seq: p.LastSeq(), Token: token}); err != nil {
		return err
	}
	sent := p.Sent
	for n := p.Acked() + 1; n <= sent; n++ {
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
	p.mu.Lock()
	p.gen++
	gen := p.gen
	p.err = nil
	p.mu.Unlock()
	c, err := d.DialObserved(ctx, url, func(m wire.Message) bool { return p.observe(gen, m) })
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
	p.ID, p.Session, p.Room, p.Conn = m.Player, m.Session, m.Room, c
	return nil
}

// Input sends the next input.
func (p *Player) Input() error {
	p.Sent++
	return p.Conn.Send(wire.Message{Type: wire.TypeInput, Input: p.Sent})
}

// Await waits until the room acknowledges input n. A gap in the state
// sequence is an error (replay must make it contiguous), as is the room's
// error message or the connection ending first.
func (p *Player) Await(ctx context.Context, n uint64) error {
	c := p.Conn
	for {
		p.mu.Lock()
		acked, err, changed := p.acked, p.err, p.changed
		if changed == nil {
			p.changed = make(chan struct{})
			changed = p.changed
		}
		p.mu.Unlock()
		switch {
		case err != nil:
			return err
		case acked >= n:
			return nil
		}
		select {
		case <-changed:
		case <-c.Done():
			// The reader has observed all it will: look once more.
			if p.Acked() >= n {
				return nil
			}
			p.mu.Lock()
			err := p.err
			p.mu.Unlock()
			if err != nil {
				return err
			}
			return c.Err()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// observe runs on connection gen's reader for every message, in order:
// it consumes states and records the room's error; joined and error
// messages also wait for Next (connect reads the joined one).
func (p *Player) observe(gen uint64, m wire.Message) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen != p.gen {
		return m.Type == wire.TypeState // an old connection's last words
	}
	switch m.Type {
	case wire.TypeJoined:
		p.id = m.Player
		if m.Room != p.room {
			p.room, p.lastSeq = m.Room, m.Seq // a new room counts from its own sequence
		}
	case wire.TypeError:
		p.fail(&RefusedError{Msg: m})
	case wire.TypeState:
		p.state(m)
		return true
	}
	return false
}

// state tracks one state message (p.mu held).
func (p *Player) state(m wire.Message) {
	switch {
	case p.err != nil:
		return
	case m.Room != p.room:
		return // replayed from the room this player left
	case m.Seq <= p.lastSeq:
		return // a state seen before the reconnect
	case p.lastSeq > 0 && m.Seq != p.lastSeq+1:
		p.fail(fmt.Errorf("state %d after %d: a gap", m.Seq, p.lastSeq))
		return
	}
	p.lastSeq = m.Seq
	for _, ps := range m.Players {
		if ps.Player == p.id {
			if ps.LastInput != p.acked {
				p.wake()
			}
			p.acked, p.applied = ps.LastInput, ps.Applied
		}
	}
}

// fail records the connection's first error (p.mu held).
func (p *Player) fail(err error) {
	if p.err == nil {
		p.err = err
		p.wake()
	}
}

// wake tells waiting Awaits that acked or err changed (p.mu held).
func (p *Player) wake() {
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
}
