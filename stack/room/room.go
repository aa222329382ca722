// Package room is the room server: one game room per process (an Agones
// or OpenKruiseGame game server), players over WebSocket, session state in
// Redis so that reconnects, drains and crashes lose nothing acknowledged.
package room

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sort"
	"strings"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// errInputGap: an input skipped a number; the client resends from its
// last acknowledged input.
var errInputGap = errors.New("input skipped a number")

// errRoomFull: the room has its players.
var errRoomFull = errors.New("room is full")

// player is one seat: its session, its live connection if any, and
// whether its session must be written on the next tick.
type player struct {
	sess    Session
	conn    *conn
	dirty   bool
	created bool // its seen-marker is written on the next tick
	left    bool // closed normally: the session is over
}

// game is the room's state. It is not safe for concurrent use: Server
// holds its lock around every call.
type game struct {
	id       string
	capacity int
	seq      uint64
	players  map[string]*player
	match    string
	pad      string // stateBytes of padding: a state is padded up to its length
}

func newGame(id string, capacity, stateBytes int) *game {
	return &game{id: id, capacity: capacity, players: map[string]*player{}, pad: strings.Repeat("x", stateBytes)}
}

// padOverhead is what an empty data field adds to a state: ,"data":"".
const padOverhead = len(`,"data":""`)

// seat returns the player's seat, creating one (with a new session) if
// there is room. A session from another room keeps its progress.
func (g *game) seat(playerID, match string, restored *Session) (*player, error) {
	if p, ok := g.players[playerID]; ok {
		p.left = false
		return p, nil
	}
	if g.active() >= g.capacity {
		return nil, errRoomFull
	}
	p := &player{dirty: true}
	if restored != nil {
		p.sess = *restored
	} else {
		p.sess = Session{ID: newSessionID(), Player: playerID, Match: match}
		p.created = true
	}
	p.sess.Room = g.id
	if match != "" {
		g.match = match
	}
	g.players[playerID] = p
	return p, nil
}

// active counts players who have not left.
func (g *game) active() int {
	n := 0
	for _, p := range g.players {
		if !p.left {
			n++
		}
	}
	return n
}

// apply takes input n from a player: n = last+1 is applied, n ≤ last is a
// resend and ignored, a larger n is a gap.
func (g *game) apply(p *player, n uint64) (bool, error) {
	switch {
	case n <= p.sess.LastInput:
		return false, nil
	case n > p.sess.LastInput+1:
		return false, errInputGap
	}
	p.sess.LastInput, p.sess.Applied = n, p.sess.Applied+1
	p.dirty = true
	return true, nil
}

// tick advances the sequence and returns the state message and the
// sessions to write; with touch, also the connected players' sessions.
func (g *game) tick(touch bool) (state []byte, changed []Session, created, touched []string) {
	g.seq++
	msg := wire.Message{Type: wire.TypeState, Room: g.id, Seq: g.seq, Players: make([]wire.PlayerState, 0, len(g.players))}
	for _, p := range g.players {
		msg.Players = append(msg.Players, wire.PlayerState{Player: p.sess.Player, LastInput: p.sess.LastInput, Applied: p.sess.Applied})
		if p.dirty {
			changed = append(changed, p.sess)
			p.dirty = false
		} else if touch && p.conn != nil {
			touched = append(touched, p.sess.ID)
		}
		if p.created {
			created = append(created, p.sess.ID)
			p.created = false
		}
	}
	sort.Slice(msg.Players, func(i, j int) bool { return msg.Players[i].Player < msg.Players[j].Player })
	state = wire.Encode(msg)
	if n := len(g.pad) - len(state) - padOverhead; n > 0 {
		msg.Data = g.pad[:n] // a game's own state, as big as the scenario says
		state = wire.Encode(msg)
	}
	return state, changed, created, touched
}

// over reports whether a match was played and every player has left.
func (g *game) over() bool {
	return len(g.players) > 0 && g.active() == 0
}

// reset empties the room for the next match (afterMatch: reuse).
func (g *game) reset() {
	g.players, g.match = map[string]*player{}, ""
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
