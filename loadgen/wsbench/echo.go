// Package wsbench measures what one loadgen process can hold: WebSocket
// sessions per GB of its memory and CPU per 1,000 messages/s, against a
// minimal echo target, beside k6 running an equivalent script.
package wsbench

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
)

// Echo is the minimal target: every message comes back as it went. It
// counts open sessions and echoed messages, and reports them at /count,
// so that the bench checks what the target saw, not what a client claims.
type Echo struct {
	open, echoed atomic.Int64
	up           websocket.Upgrader
}

// NewEcho returns a target with small buffers (it holds as many
// connections as the clients under test).
func NewEcho() *Echo {
	return &Echo{up: websocket.Upgrader{ReadBufferSize: 512, WriteBufferSize: 512, WriteBufferPool: &sync.Pool{},
		CheckOrigin: func(*http.Request) bool { return true }}}
}

// Counts is what /count answers.
type Counts struct {
	Open   int64 `json:"open"`
	Echoed int64 `json:"echoed"`
}

// ServeHTTP answers /ws (the echo) and /count.
func (e *Echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/count" {
		_ = json.NewEncoder(w).Encode(Counts{Open: e.open.Load(), Echoed: e.echoed.Load()})
		return
	}
	ws, err := e.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	e.open.Add(1)
	defer e.open.Add(-1)
	defer ws.Close()
	for {
		kind, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		if err := ws.WriteMessage(kind, msg); err != nil {
			return
		}
		e.echoed.Add(1)
	}
}

// Serve runs the echo on each listener until ctx ends.
func (e *Echo) Serve(ctx context.Context, lns ...net.Listener) {
	var wg sync.WaitGroup
	for _, ln := range lns {
		srv := &http.Server{Handler: e}
		wg.Go(func() { _ = srv.Serve(ln) })
		context.AfterFunc(ctx, func() { srv.Close() })
	}
	wg.Wait()
}
