package room

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// sendQueue is how many frames may wait for a slow client before it is
// dropped (it can reconnect and replay).
const sendQueue = 256

// conn is one WebSocket. Its reader runs in the HTTP handler's goroutine,
// its writer in another; s.mu guards player, hold and held.
type conn struct {
	s       *Server
	ws      *websocket.Conn
	send    chan *websocket.PreparedMessage
	limiter *rate.Limiter

	player *player
	hold   bool // replaying: live states wait in held
	held   []*websocket.PreparedMessage

	quitOnce  sync.Once
	quit      chan struct{}
	closeCode int
	causeOnce sync.Once // the first reason the connection ends is counted
}

// Why a connection ended, as room_disconnects_total counts it: the first
// of the reader's, the writer's and the server's reasons.
const (
	causeLeft         = "left"          // the player closed normally
	causeClientGone   = "client_gone"   // the client's side ended without a normal close
	causeReadTimeout  = "read_timeout"  // nothing, not even a pong, for ReadTimeout
	causeSlowReader   = "slow_reader"   // sendQueue frames waited: the client did not read
	causeWriteTimeout = "write_timeout" // a frame could not be written within ReadTimeout
	causePingFailed   = "ping_failed"   // a ping could not be written within 1 s
	causeRefused      = "refused"       // an error message (room_messages_refused_total says which)
	causeReplaced     = "replaced"      // the player connected again
	causeDraining     = "draining"      // the room server is shutting down
)

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if s.isDraining() {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "draining", http.StatusServiceUnavailable)
		return
	}
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &conn{
		s: s, ws: ws, send: make(chan *websocket.PreparedMessage, sendQueue),
		limiter: rate.NewLimiter(rate.Limit(s.cfg.RateLimit), s.cfg.Burst),
		quit:    make(chan struct{}), closeCode: websocket.CloseNormalClosure,
	}
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	go c.writer()
	c.reader()
}

// reader handles the client's messages until the connection ends.
func (c *conn) reader() {
	defer c.s.wg.Done()
	left := false
	defer func() { c.s.detach(c, left) }()
	ws, cfg := c.ws, c.s.cfg
	ws.SetReadLimit(wire.MaxMessage)
	deadline := func() { _ = ws.SetReadDeadline(time.Now().Add(cfg.ReadTimeout)) }
	deadline()
	ws.SetPongHandler(func(string) error { deadline(); return nil })
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			ne, isNet := errors.AsType[net.Error](err)
			switch {
			case websocket.IsCloseError(err, websocket.CloseNormalClosure):
				left = true // the player left: the session is over
				c.because(causeLeft)
			case errors.Is(err, websocket.ErrReadLimit):
				c.refuse(wire.CodeBadMessage, "message over the size limit", websocket.CloseMessageTooBig)
			case isNet && ne.Timeout():
				c.because(causeReadTimeout)
			default:
				c.because(causeClientGone)
			}
			return
		}
		deadline()
		if !c.limiter.Allow() {
			c.refuse(wire.CodeRateLimited, "too many messages", websocket.ClosePolicyViolation)
			return
		}
		m, err := wire.Decode(data)
		if err != nil {
			c.refuse(wire.CodeBadMessage, err.Error(), websocket.CloseUnsupportedData)
			return
		}
		if !c.handle(m) {
			return
		}
	}
}

// handle dispatches one message; false ends the connection.
func (c *conn) handle(m wire.Message) bool {
	c.s.mu.Lock()
	joined := c.player != nil
	c.s.mu.Unlock()
	switch {
	case m.Type == wire.TypeInput && joined:
		return c.s.input(c, m.Input)
	case m.Type == wire.TypeJoin && !joined:
		return c.s.join(c, m.Token)
	case m.Type == wire.TypeReconnect && !joined:
		return c.s.reconnect(c, m.Session, m.Token, m.Seq)
	}
	c.refuse(wire.CodeBadMessage, m.Type+" is not expected now", websocket.CloseProtocolError)
	return false
}

// refuse sends an error and closes the connection.
func (c *conn) refuse(code, reason string, closeCode int) {
	c.s.metrics.refused.WithLabelValues(code).Inc()
	c.closeWith(wire.Encode(wire.Message{Type: wire.TypeError, Code: code, Reason: reason}), closeCode, causeRefused)
}

// sendNow queues a frame for the writer; false if the client is too slow.
func (c *conn) sendNow(b []byte) bool {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return false
	}
	select {
	case c.send <- pm:
		return true
	default:
		return false
	}
}

// deliver is a broadcast (s.mu held): held back during a replay.
func (c *conn) deliver(pm *websocket.PreparedMessage) {
	if c.player == nil {
		return
	}
	if c.hold {
		c.held = append(c.held, pm)
		return
	}
	c.push(pm)
}

// push queues a frame, dropping the connection if the client cannot keep
// up: it can reconnect and replay what it missed.
func (c *conn) push(pm *websocket.PreparedMessage) {
	select {
	case c.send <- pm:
	default:
		c.stop(websocket.CloseTryAgainLater, causeSlowReader)
	}
}

// closeWith queues a last message, then closes with code.
func (c *conn) closeWith(last []byte, code int, cause string) {
	c.sendNow(last)
	c.stop(code, cause)
}

// stop ends the connection with a close code, for cause ("" when the
// cause was already counted).
func (c *conn) stop(code int, cause string) {
	if cause != "" {
		c.because(cause)
	}
	c.quitOnce.Do(func() {
		c.closeCode = code
		close(c.quit)
	})
}

// because counts why the connection ended, once.
func (c *conn) because(cause string) {
	c.causeOnce.Do(func() { c.s.metrics.disconnects.WithLabelValues(cause).Inc() })
}

// writer sends queued frames and pings; on quit it flushes the queue and
// sends the close frame.
func (c *conn) writer() {
	defer c.s.wg.Done()
	defer c.ws.Close()
	ping := time.NewTicker(c.s.cfg.ReadTimeout / 2)
	defer ping.Stop()
	write := func(pm *websocket.PreparedMessage) error {
		_ = c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.ReadTimeout))
		return c.ws.WritePreparedMessage(pm)
	}
	for {
		select {
		case pm := <-c.send:
			if err := write(pm); err != nil {
				cause := causeClientGone
				if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
					cause = causeWriteTimeout
				}
				c.stop(websocket.CloseAbnormalClosure, cause)
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)); err != nil {
				cause := causeClientGone
				if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
					cause = causePingFailed
				}
				c.because(cause)
				return
			}
		case <-c.quit:
			for {
				select {
				case pm := <-c.send:
					if write(pm) != nil {
						return
					}
					continue
				default:
				}
				break
			}
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(c.closeCode, ""), time.Now().Add(time.Second))
			return
		}
	}
}
