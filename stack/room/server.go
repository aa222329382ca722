package room

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/settings"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// Config is one room server.
type Config struct {
	Room     string        // this room's id (the pod name)
	Address  string        // host:port players dial, published for the matchmaker
	Capacity int           // players per match
	Tick     time.Duration // state broadcast period
	// StateBytes pads each state message up to this size (0: none): a
	// game's own state size.
	StateBytes int
	Key        []byte // join-token HMAC key, shared with the matchmaker
	// RateLimit and Burst bound each connection's messages per second.
	RateLimit   float64
	Burst       int
	ReadTimeout time.Duration // a silent connection is dropped after this
	RetryAfter  time.Duration // the hint sent to clients when draining
	// AfterMatch: Reuse (back to None) or Recycle (WaitToBeDeleted).
	AfterMatch settings.AfterMatch
	// ClaimTimeout frees an allocation no player has used: once the join
	// tokens have expired, the room goes back to None.
	ClaimTimeout time.Duration
	// Startup is waited before the room first publishes None (it is not
	// Ready meanwhile): a pod startup the cluster does not realize.
	Startup time.Duration
	// IdleTimeout, when above 0, marks a room None this long with no
	// match WaitToBeDeleted: OpenKruiseGame leaves that to the game
	// server (fleetd times idle rooms itself).
	IdleTimeout time.Duration
}

// touchEvery is how often connected players' sessions get a new expiry.
const touchEvery = time.Second

// Publisher makes the room's opsState and address visible to the
// matchmaker and fleetd (pod labels and annotations on Kubernetes).
type Publisher interface {
	Publish(ctx context.Context, state policy.OpsState, address string) error
	// Observe reads the published opsState (the matchmaker sets
	// Allocated) and the object's version.
	Observe(ctx context.Context) (policy.OpsState, string, error)
	// PublishIf publishes only if the object is still at version.
	PublishIf(ctx context.Context, state policy.OpsState, address, version string) error
	// Published reports whether a room server already published this
	// object: one starting on it has restarted in place.
	Published(ctx context.Context) (bool, error)
}

// Server serves one room.
type Server struct {
	cfg     Config
	store   *Store
	pub     Publisher
	log     *slog.Logger
	metrics *metrics
	up      websocket.Upgrader

	opsCh chan struct{} // wakes the publisher: the opsState changed

	mu            sync.Mutex
	game          *game
	conns         map[*conn]struct{}
	draining      bool
	published     bool      // the first opsState is out: only then is the room Ready
	lastTouch     time.Time // connected players' sessions last had their expiry renewed
	lastConnected time.Time // a player was last connected (abandoned matches end)
	noneSince     time.Time // the room last became free (IdleTimeout)
	ops           policy.OpsState
	wg            sync.WaitGroup // connection goroutines
}

// New returns a server; Run starts its tick.
func New(cfg Config, store *Store, pub Publisher, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler) // a library caller need not log
	}
	return &Server{
		cfg: cfg, store: store, pub: pub, log: log, metrics: newMetrics(),
		// Write buffers are pooled: a player holds one only while a frame
		// is being written, which is most of the per-connection memory.
		up: websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{},
			CheckOrigin: func(*http.Request) bool { return true }},
		game:  newGame(cfg.Room, cfg.Capacity, cfg.StateBytes),
		conns: map[*conn]struct{}{},
		ops:   policy.None,
		opsCh: make(chan struct{}, 1),
	}
}

// Handler serves /ws (players), /healthz, /readyz and /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serveWS)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		ready := s.published && !s.draining
		s.mu.Unlock()
		if !ready {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("/metrics", s.metrics.handler())
	return mux
}

// Run publishes the room as None and ticks until ctx ends. A room
// server that restarted in place (its pod's restart policy, after a
// crash) publishes Kill instead and never takes players: as in Agones,
// a game server that restarts after Ready is Unhealthy and replaced. The
// match it may have held is gone from its memory, and publishing None
// over Allocated would hand the room to a second match while the first
// one's players come back to it. They rejoin elsewhere, with their state
// from Redis, as after any crash.
func (s *Server) Run(ctx context.Context) error {
	restarted, err := s.pub.Published(ctx)
	if err != nil {
		return fmt.Errorf("reading the room's published state: %w", err)
	}
	if restarted {
		s.mu.Lock()
		s.draining, s.ops = true, policy.Kill
		s.mu.Unlock()
		if err := s.pub.Publish(ctx, policy.Kill, s.cfg.Address); err != nil {
			return fmt.Errorf("publishing opsState: %w", err)
		}
		s.log.Warn("restarted in place: room marked Kill for replacement, taking no players", "room", s.cfg.Room)
		<-ctx.Done()
		return nil
	}
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(s.cfg.Startup):
	}
	if err := s.pub.Publish(ctx, policy.None, s.cfg.Address); err != nil {
		return fmt.Errorf("publishing opsState: %w", err)
	}
	s.mu.Lock()
	s.published, s.noneSince = true, time.Now()
	s.mu.Unlock()
	go s.publisher(ctx)
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case due := <-t.C: // the tick's due time, however late it is received
			s.countTick(due, last)
			last = due
			s.tick(ctx)
		}
	}
}

// countTick counts a tick due at due (the previous one at last) and
// those the ticker dropped between them: a tick that starts a whole
// period late, or never, is a state the players got late, which on a
// saturated host is the host's doing, not the game's (the load
// generator's harness check reads room_ticks_late_total).
func (s *Server) countTick(due, last time.Time) {
	dropped := 0.0
	if !last.IsZero() {
		dropped = max(math.Round(float64(due.Sub(last))/float64(s.cfg.Tick))-1, 0)
	}
	late := dropped
	if time.Since(due) > s.cfg.Tick {
		late++
	}
	s.metrics.ticks.Add(dropped + 1)
	s.metrics.ticksLate.Add(late)
}

// tick writes the state and changed sessions to Redis, then broadcasts.
// If Redis fails, nothing is broadcast: no client sees an acknowledgement
// that a crash could lose.
func (s *Server) tick(ctx context.Context) {
	start := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.game.players) == 0 {
		return
	}
	if s.abandoned(start) {
		return
	}
	touch := start.Sub(s.lastTouch) >= touchEvery
	state, changed, created, touched := s.game.tick(touch)
	if err := s.store.Tick(ctx, s.cfg.Room, s.game.seq, state, changed, created, touched); err != nil {
		// Retry the same sequence number next tick, and rewrite every
		// session then: a restarted Redis may have lost them all.
		s.game.seq--
		for _, p := range s.game.players {
			p.dirty, p.created = true, true
		}
		s.metrics.storeErrors.Inc()
		s.log.Warn("tick not stored; not broadcast", "err", err)
		return
	}
	if touch {
		s.lastTouch = start
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, state)
	if err != nil {
		return
	}
	for c := range s.conns {
		c.deliver(pm)
	}
	s.metrics.tickSeconds.Observe(time.Since(start).Seconds())
	s.afterMatch()
}

// abandoned ends a match whose players have all been gone longer than
// the recovery window: none can come back, so the room is free again
// rather than Allocated forever (caller holds mu).
func (s *Server) abandoned(now time.Time) bool {
	for _, p := range s.game.players {
		if p.conn != nil {
			s.lastConnected = now
			return false
		}
	}
	if now.Sub(s.lastConnected) <= s.store.window {
		return false
	}
	for _, p := range s.game.players {
		p.left = true
	}
	s.log.Info("match abandoned: every player gone past the recovery window", "room", s.cfg.Room)
	s.afterMatch()
	return true
}

// afterMatch ends a match whose players have all left (caller holds mu).
func (s *Server) afterMatch() {
	if !s.game.over() {
		return
	}
	next := policy.None
	if s.cfg.AfterMatch == settings.Recycle {
		next = policy.WaitToBeDeleted
	}
	s.game.reset()
	s.setOps(next)
}

// setOps records a new opsState (caller holds mu); the publisher sends
// it, so no API call ever runs under the room's lock.
func (s *Server) setOps(state policy.OpsState) {
	if s.ops == state {
		return
	}
	s.ops = state
	if state == policy.None {
		s.noneSince = time.Now()
	}
	select {
	case s.opsCh <- struct{}{}:
	default: // a publish is pending and will read the latest state
	}
}

// publisher publishes the latest opsState after each change, retrying
// failures every second, and frees unused allocations.
func (s *Server) publisher(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	claims := time.NewTicker(s.cfg.checkEvery())
	defer claims.Stop()
	var unusedSince time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-claims.C:
			unusedSince = s.checkClaims(ctx, unusedSince)
			continue
		case <-s.opsCh:
		case <-retry.C:
		}
		s.mu.Lock()
		state := s.ops
		s.mu.Unlock()
		if err := s.pub.Publish(ctx, state, s.cfg.Address); err != nil {
			s.log.Warn("publishing opsState", "state", state, "err", err)
			retry.Reset(time.Second)
		}
	}
}

// Drain is the SIGTERM path: refuse new players, write every session,
// tell each client to reconnect after RetryAfter, and close within grace.
func (s *Server) Drain(ctx context.Context) {
	s.mu.Lock()
	s.draining = true
	state, changed, created, touched := s.game.tick(true)
	if err := s.store.Tick(ctx, s.cfg.Room, s.game.seq, state, changed, created, touched); err != nil {
		s.log.Warn("final state not stored", "err", err)
	}
	msg := wire.Encode(wire.Message{Type: wire.TypeError, Code: wire.CodeDraining, Reason: "room server shutting down", RetryAfterMs: s.cfg.RetryAfter.Milliseconds()})
	for c := range s.conns {
		c.closeWith(msg, websocket.CloseGoingAway, causeDraining)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.log.Warn("grace period over with connections open")
	}
}

func (s *Server) isDraining() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draining
}
