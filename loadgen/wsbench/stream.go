package wsbench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// Stream is a minimal room target: it speaks the room server's protocol
// (join, joined, inputs acknowledged in states) and pushes each room's
// whole state to its players every Tick, as the stack's room servers do,
// without Redis or Kubernetes, so that the bench measures the client at a
// game's message rate and size rather than the room server.
type Stream struct {
	Players int           // per room: sessions fill rooms in arrival order
	Tick    time.Duration // state period
	up      websocket.Upgrader

	mu     sync.Mutex
	joined int
	rooms  []*streamRoom

	open, sent, dropped atomic.Int64
}

// StreamCounts is what a Stream's /count answers.
type StreamCounts struct {
	Open    int64 `json:"open"`
	Sent    int64 `json:"sent"`    // states written to players
	Dropped int64 `json:"dropped"` // sessions dropped for not reading
}

type streamRoom struct {
	mu     sync.Mutex
	id     string
	seq    uint64
	seats  []*streamSeat
	filled int // seats ever taken: a full room that empties stops ticking
}

type streamSeat struct {
	player string
	input  atomic.Uint64
	send   chan *websocket.PreparedMessage
	gone   atomic.Bool
}

// streamQueue is the states a player may leave unread before it is
// dropped, as the room server's send queue.
const streamQueue = 256

// NewStream returns a target of rooms of players at tick.
func NewStream(players int, tick time.Duration) *Stream {
	return &Stream{Players: players, Tick: tick, up: websocket.Upgrader{ReadBufferSize: 512, WriteBufferSize: 512,
		WriteBufferPool: &sync.Pool{}, CheckOrigin: func(*http.Request) bool { return true }}}
}

// ServeHTTP answers /ws (a player) and /count.
func (s *Stream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/count" {
		_ = json.NewEncoder(w).Encode(StreamCounts{Open: s.open.Load(), Sent: s.sent.Load(), Dropped: s.dropped.Load()})
		return
	}
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	if _, _, err := ws.ReadMessage(); err != nil { // the join: any token will do
		return
	}
	room, seat := s.seat()
	s.open.Add(1)
	defer s.open.Add(-1)
	defer seat.gone.Store(true)
	hello := wire.Message{Type: wire.TypeJoined, Room: room.id, Player: seat.player, Session: seat.player}
	if ws.WriteMessage(websocket.TextMessage, wire.Encode(hello)) != nil {
		return
	}
	go func() {
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				ws.Close()
				return
			}
			var m wire.Message
			if json.Unmarshal(b, &m) == nil && m.Type == wire.TypeInput {
				seat.input.Store(m.Input)
			}
		}
	}()
	for pm := range seat.send {
		if ws.WritePreparedMessage(pm) != nil {
			return
		}
		s.sent.Add(1)
	}
	s.dropped.Add(1)
}

// seat puts a new player in the newest room, opening one when it is full.
func (s *Stream) seat() (*streamRoom, *streamSeat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.joined%s.Players == 0 {
		r := &streamRoom{id: fmt.Sprintf("room-%d", len(s.rooms))}
		s.rooms = append(s.rooms, r)
		go s.tick(r)
	}
	s.joined++
	r := s.rooms[len(s.rooms)-1]
	seat := &streamSeat{player: fmt.Sprintf("p%d", s.joined), send: make(chan *websocket.PreparedMessage, streamQueue)}
	r.mu.Lock()
	r.seats = append(r.seats, seat)
	r.filled++
	r.mu.Unlock()
	return r, seat
}

// tick pushes the room's state to its players every Tick; a player
// whose queue is full is dropped (its send channel closed).
func (s *Stream) tick(r *streamRoom) {
	t := time.NewTicker(s.Tick)
	defer t.Stop()
	for range t.C {
		r.mu.Lock()
		r.seq++
		m := wire.Message{Type: wire.TypeState, Room: r.id, Seq: r.seq, Players: make([]wire.PlayerState, 0, len(r.seats))}
		for _, seat := range r.seats {
			in := seat.input.Load()
			m.Players = append(m.Players, wire.PlayerState{Player: seat.player, LastInput: in, Applied: in})
		}
		pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, wire.Encode(m))
		live := r.seats[:0]
		for _, seat := range r.seats {
			if seat.gone.Load() {
				close(seat.send)
				continue
			}
			select {
			case seat.send <- pm:
				live = append(live, seat)
			default:
				close(seat.send) // too slow: dropped, as the room server drops it
			}
		}
		r.seats = live
		over := len(live) == 0 && r.filled == s.Players
		r.mu.Unlock()
		if over {
			return
		}
	}
}
