package room

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

var testKey = []byte("0123456789abcdef-test-key")

// testClient is a player: it reads every message into a channel.
type testClient struct {
	t    *testing.T
	ws   *websocket.Conn
	msgs chan wire.Message
	done chan error // the read error that ended the connection
}

func dial(t *testing.T, url string) *testClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c := &testClient{t: t, ws: ws, msgs: make(chan wire.Message, 4096), done: make(chan error, 1)}
	go func() {
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				c.done <- err
				close(c.msgs)
				return
			}
			var m wire.Message
			if err := json.Unmarshal(b, &m); err != nil {
				c.done <- err
				close(c.msgs)
				return
			}
			c.msgs <- m
		}
	}()
	t.Cleanup(func() { ws.Close() })
	return c
}

func (c *testClient) send(m wire.Message) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, wire.Encode(m)); err != nil {
		c.t.Fatalf("send %s: %v", m.Type, err)
	}
}

// next returns the next message of one of the types, skipping others.
func (c *testClient) next(types ...string) wire.Message {
	c.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("connection ended waiting for %v", types)
			}
			for _, ty := range types {
				if m.Type == ty {
					return m
				}
			}
		case <-timeout:
			c.t.Fatalf("no %v within 5 s", types)
		}
	}
}

// drop ends the TCP connection without a close frame: a network failure.
func (c *testClient) drop() { c.ws.NetConn().Close() }

func token(room, player string, ttl time.Duration) string {
	return wire.Sign(testKey, wire.Claims{Room: room, Player: player, Match: "m1", Expiry: time.Now().Add(ttl).UnixMilli()})
}

// opsRecorder is a Publisher that remembers the last opsState, with a
// version that counts writes (as a pod's resourceVersion would change).
type opsRecorder struct {
	mu      sync.Mutex
	state   policy.OpsState
	version int
}

func (o *opsRecorder) Publish(ctx context.Context, s policy.OpsState, addr string) error {
	return o.PublishIf(ctx, s, addr, "")
}

func (o *opsRecorder) PublishIf(_ context.Context, s policy.OpsState, _, version string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if version != "" && version != fmt.Sprint(o.version) {
		return fmt.Errorf("conflict: version %s, have %d", version, o.version)
	}
	o.state = s
	o.version++
	return nil
}

func (o *opsRecorder) Observe(context.Context) (policy.OpsState, string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.state, fmt.Sprint(o.version), nil
}

func (o *opsRecorder) Published(context.Context) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.version > 0, nil
}

// allocate is the matchmaker's claim.
func (o *opsRecorder) allocate() {
	o.mu.Lock()
	o.state = policy.Allocated
	o.version++
	o.mu.Unlock()
}

func (o *opsRecorder) get() policy.OpsState {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.state
}

// testRoom is a room server on httptest with its own Redis client.
type testRoom struct {
	srv    *Server
	http   *httptest.Server
	url    string
	ops    *opsRecorder
	cancel context.CancelFunc
}

func testConfig(room string) Config {
	return Config{Room: room, Capacity: 4, Tick: 20 * time.Millisecond, Key: testKey, RateLimit: 200, Burst: 200,
		ReadTimeout: 5 * time.Second, RetryAfter: 250 * time.Millisecond, AfterMatch: "reuse"}
}

func startRoom(t *testing.T, rs *redistest.Server, cfg Config, window time.Duration, streamLen int64, hooks ...redis.Hook) *testRoom {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond, ReadTimeout: 500 * time.Millisecond})
	for _, h := range hooks {
		rdb.AddHook(h)
	}
	t.Cleanup(func() { rdb.Close() })
	return startRoomWith(t, rdb, cfg, window, streamLen, &opsRecorder{})
}

// startRoomOn starts a room server on a pod object an earlier one
// published (a restart in place).
func startRoomOn(t *testing.T, rs *redistest.Server, cfg Config, ops *opsRecorder) *testRoom {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr})
	t.Cleanup(func() { rdb.Close() })
	return startRoomWith(t, rdb, cfg, time.Minute, 1000, ops)
}

func startRoomWith(t *testing.T, rdb *redis.Client, cfg Config, window time.Duration, streamLen int64, ops *opsRecorder) *testRoom {
	t.Helper()
	srv := New(cfg, NewStore(rdb, window, streamLen), ops, slog.New(slog.DiscardHandler))
	hs := httptest.NewServer(srv.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	tr := &testRoom{srv: srv, http: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws", ops: ops, cancel: cancel}
	t.Cleanup(tr.kill)
	return tr
}

// kill stops the room as SIGKILL would: no drain, connections cut.
func (r *testRoom) kill() {
	r.cancel()
	r.http.CloseClientConnections()
	r.http.Close()
}

// join dials and joins; it returns the client and its Joined message.
func (r *testRoom) join(t *testing.T, player string) (*testClient, wire.Message) {
	t.Helper()
	c := dial(t, r.url)
	c.send(wire.Message{Type: wire.TypeJoin, Token: token(r.srv.cfg.Room, player, time.Minute)})
	return c, c.next(wire.TypeJoined, wire.TypeError)
}
