// Package client is a player's side of the room server protocol: join,
// inputs with acknowledgement, reconnect with replay. loadgen and the
// stack's tests play with it.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/stack/wire"
	"github.com/gorilla/websocket"
	jsoniter "github.com/json-iterator/go"
)

// Conn is one WebSocket to a room server. A goroutine reads every
// message as it arrives: an observer (a Player) sees each one in order,
// and the messages it does not consume wait for Next.
//
// The reader never waits for the player: a room pushes its state 20 times
// a second, and a reader that stopped while the player idled between
// inputs answered no pings, so the room's read deadline dropped every
// session whose inputs came less often than that deadline (every session
// of a 10 s input interval under a 10 s deadline, measured), and each
// session held its queue of unread states (tens of KB each in a match of 50).
type Conn struct {
	ws      *websocket.Conn
	observe func(wire.Message) bool // true: consumed, not queued for Next
	msgs    chan []byte
	done    chan struct{} // closed when the read loop ends
	mu      sync.Mutex
	err     error // why the read loop ended
}

// queued is how many unconsumed messages wait for Next before the reader
// stops reading (TCP then pushes back on the room). With an observer that
// consumes states, only the rare others queue.
const queued = 64

// Dialer connects many sessions cheaply: small read buffers and one pool
// of write buffers shared by all its connections, so an idle session holds
// no write buffer (memory per idle session is what bounds a load
// generator).
type Dialer struct {
	ws websocket.Dialer
}

// NewDialer returns a Dialer whose connections share a write-buffer pool.
func NewDialer() *Dialer {
	tcp := &net.Dialer{Timeout: ConnectTimeout}
	return &Dialer{ws: websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{},
		NetDialContext: tcp.DialContext, HandshakeTimeout: 30 * time.Second}}
}

// ConnectTimeout bounds a dial's TCP connect. A room that is gone from a
// pod network does not refuse a dial, its address drops it; without a
// bound the dial lasted the whole handshake timeout, as long as a
// player's recovery window, so a reconnect to a room that had just gone
// never reached the matchmaker's new room. Linux resends an unanswered
// SYN after 1 s: 2 s gives a live room a second chance.
const ConnectTimeout = 2 * time.Second

// Dial connects to a room server's /ws URL with a Dialer of its own; use
// a shared Dialer's Dial for many connections.
func Dial(ctx context.Context, url string) (*Conn, error) { return NewDialer().Dial(ctx, url) }

// Dial connects to a WebSocket URL; every message waits for Next.
func (d *Dialer) Dial(ctx context.Context, url string) (*Conn, error) {
	return d.DialObserved(ctx, url, nil)
}

// DialObserved connects to a WebSocket URL; observe (nil: none) sees
// every message that decodes, in order, on the reader's goroutine, and
// those it consumes do not wait for Next. It must not block.
func (d *Dialer) DialObserved(ctx context.Context, url string, observe func(wire.Message) bool) (*Conn, error) {
	ws, _, err := d.ws.DialContext(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	c := &Conn{ws: ws, observe: observe, msgs: make(chan []byte, queued), done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *Conn) read() {
	defer close(c.done)
	defer close(c.msgs)
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
			return
		}
		if c.observe != nil {
			var m wire.Message
			// Every state a room pushes (20 a second per session) is
			// decoded here: json-iterator does it in a third of
			// encoding/json's time (BenchmarkDecodeState, a match of 50),
			// which bounds the sessions a core holds. One that does not
			// decode is queued: Next reports it.
			if jsoniter.ConfigCompatibleWithStandardLibrary.Unmarshal(b, &m) == nil && c.observe(m) {
				continue
			}
		}
		c.msgs <- b
	}
}

// Done is closed once the connection has ended; Err then says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the connection ended, wrapping ErrClosed (nil while open).
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		return nil
	}
	return fmt.Errorf("%w: %v", ErrClosed, c.err)
}

// Send writes one message.
func (c *Conn) Send(m wire.Message) error {
	return c.ws.WriteMessage(websocket.TextMessage, wire.Encode(m))
}

// ErrClosed is returned by Next once the connection has ended.
var ErrClosed = errors.New("connection closed")

// Next returns the next message whose type is one of types (all if none).
func (c *Conn) Next(ctx context.Context, types ...string) (wire.Message, error) {
	for {
		select {
		case b, ok := <-c.msgs:
			if !ok {
				return wire.Message{}, c.Err()
			}
			var m wire.Message
			if err := json.Unmarshal(b, &m); err != nil {
				return m, fmt.Errorf("a message from the room: %w", err)
			}
			if len(types) == 0 {
				return m, nil
			}
			for _, t := range types {
				if m.Type == t {
					return m, nil
				}
			}
		case <-ctx.Done():
			return wire.Message{}, ctx.Err()
		}
	}
}

// Leave closes normally: the player is done and the session ends.
func (c *Conn) Leave() error {
	_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	return c.ws.Close()
}

// Drop cuts the connection without a close frame, as a network failure does.
func (c *Conn) Drop() { c.ws.NetConn().Close() }
