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
)

// Conn is one WebSocket to a room server; a goroutine reads into Next.
type Conn struct {
	ws   *websocket.Conn
	msgs chan []byte // raw: decoding in Next keeps the reader's stack shallow
	mu   sync.Mutex
	err  error // why the read loop ended
}

// queued is how many messages wait for Next before the reader stops
// reading (TCP then pushes back on the room): 3 s of 20 Hz states.
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

// Dial connects to a WebSocket URL.
func (d *Dialer) Dial(ctx context.Context, url string) (*Conn, error) {
	ws, _, err := d.ws.DialContext(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	c := &Conn{ws: ws, msgs: make(chan []byte, queued)}
	go c.read()
	return c, nil
}

func (c *Conn) read() {
	defer close(c.msgs)
	for {
		_, b, err := c.ws.ReadMessage()
		if err == nil {
			c.msgs <- b
			continue
		}
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		return
	}
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
				c.mu.Lock()
				defer c.mu.Unlock()
				return wire.Message{}, fmt.Errorf("%w: %v", ErrClosed, c.err)
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
