package matchmaker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/stack/settings"
	"github.com/fleetbench/fleetbench/stack/wire"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/singleflight"
)

// Config is the matchmaking and allocation policy (the scenario's players
// and allocation sections).
type Config struct {
	PerMatch     int
	MatchTimeout time.Duration // 0: wait for a full match
	OnTimeout    settings.OnTimeout
	OnNoServer   settings.OnNoServer
	AllocTimeout time.Duration // how long settings.Wait waits; 0: as long as the player does
	Key          []byte        // join-token HMAC key, shared with the room servers
	TokenTTL     time.Duration
	MaxQueue     int
	RetryAfter   time.Duration // the hint on 429/503
}

// Server is the matchmaker's HTTP API.
type Server struct {
	cfg   Config
	alloc *Allocator
	q     *queue
	log   *slog.Logger

	reg         *prometheus.Registry
	allocations *prometheus.CounterVec
	allocWait   prometheus.Histogram

	rejoin   singleflight.Group
	mu       sync.Mutex
	replaced map[string]Room // match → its new room after a drain or crash
}

// New returns a server allocating with alloc.
func New(cfg Config, alloc *Allocator, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler) // a library caller need not log
	}
	s := &Server{cfg: cfg, alloc: alloc, log: log, reg: prometheus.NewRegistry(), replaced: map[string]Room{},
		allocations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "matchmaker_allocations_total", Help: "Allocations by result."}, []string{"result"}),
		allocWait:   prometheus.NewHistogram(prometheus.HistogramOpts{Name: "matchmaker_allocation_seconds", Help: "From a match formed to its room allocated.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}),
	}
	s.q = &queue{perMatch: cfg.PerMatch, timeout: cfg.MatchTimeout, onTimeout: cfg.OnTimeout, maxQueue: cfg.MaxQueue, start: s.startMatch}
	s.reg.MustRegister(s.allocations, s.allocWait,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "matchmaker_queue_length", Help: "Players waiting for a match."}, func() float64 { return float64(s.q.length()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "matchmaker_allocation_conflicts_total", Help: "Room claims refused because another writer changed the room first."}, func() float64 { return float64(alloc.Conflicts()) }))
	return s
}

// Run applies the match timeout until ctx ends.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.q.expire(now)
		}
	}
}

// Handler serves POST /v1/match, POST /v1/rejoin, GET /v1/waiting (for
// fleetd's demand-aware policy), /healthz, /readyz, /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.MatchPath, s.match)
	mux.HandleFunc("POST "+wire.RejoinPath, s.rejoinMatch)
	mux.HandleFunc("GET "+wire.WaitingPath, s.waiting)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.alloc.Synced() {
			http.Error(w, "room cache not synced", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	return mux
}

// longPollLimit bounds GET /v1/waiting?unlike=N: the answer comes when
// the count differs from N, or after this long.
const longPollLimit = 25 * time.Second

// waiting answers how many matches wait for a room; with ?unlike=N it
// answers once the count differs from N (a long poll, so that fleetd's
// demand-aware policy reacts as a match starts waiting).
func (s *Server) waiting(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query().Get("unlike")
	if v == "" {
		writeJSON(w, http.StatusOK, map[string]int64{"waiting": s.alloc.Waiting()})
		return
	}
	unlike, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		http.Error(w, fmt.Sprintf("unlike %q: want an integer", v), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), longPollLimit)
	defer cancel()
	writeJSON(w, http.StatusOK, map[string]int64{"waiting": s.alloc.WaitingChange(ctx, unlike)})
}

// startMatch allocates a room for a formed match and answers its players.
func (s *Server) startMatch(match string, players []*ticket) {
	room, err := s.allocate(context.Background(), match)
	for _, t := range players {
		t.done <- outcome{match: match, room: room, err: err}
	}
}

func (s *Server) allocate(ctx context.Context, match string) (Room, error) {
	wait := s.cfg.OnNoServer == settings.Wait
	if wait && s.cfg.AllocTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.AllocTimeout)
		defer cancel()
	}
	start := time.Now()
	room, err := s.alloc.Allocate(ctx, match, wait)
	switch {
	case err == nil:
		s.allocations.WithLabelValues("ok").Inc()
		s.allocWait.Observe(time.Since(start).Seconds())
	case errors.Is(err, ErrNoRoom):
		s.allocations.WithLabelValues("no_room").Inc()
	default:
		s.allocations.WithLabelValues("error").Inc()
		s.log.Warn("allocation", "match", match, "err", err)
	}
	return room, err
}

var validID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func (s *Server) match(w http.ResponseWriter, r *http.Request) {
	req, ok := s.decode(w, r, false)
	if !ok {
		return
	}
	t := &ticket{player: req.Player, enqueued: time.Now(), done: make(chan outcome, 1)}
	if err := s.q.add(t); err != nil {
		s.fail(w, http.StatusTooManyRequests, err)
		return
	}
	select {
	case out := <-t.done:
		if out.err != nil {
			// The match is named: its players' failures are one failed allocation.
			s.refuse(w, http.StatusServiceUnavailable, map[string]string{"error": out.err.Error(), "match": out.match})
			return
		}
		s.assign(w, req.Player, out.match, out.room, t.matched.Sub(t.enqueued), time.Since(t.matched))
	case <-r.Context().Done():
		s.q.remove(t) // the player gave up; if already matched, the match goes on
	}
}

// rejoinMatch gives the players of a match whose room drained or crashed
// one new room: the first caller allocates it, the others share it.
func (s *Server) rejoinMatch(w http.ResponseWriter, r *http.Request) {
	req, ok := s.decode(w, r, true)
	if !ok {
		return
	}
	start := time.Now()
	v, err, _ := s.rejoin.Do(req.Match, func() (any, error) {
		// The match's earlier replacement, unless that room is lost too
		// (a crash's replacement drained by a later rollout): handing it
		// out again sent the players back to a gone room until their
		// recovery window expired.
		s.mu.Lock()
		room, ok := s.replaced[req.Match]
		s.mu.Unlock()
		if ok && s.alloc.Serving(room.Name) {
			return room, nil
		}
		room, err := s.allocate(r.Context(), req.Match)
		if err == nil {
			s.mu.Lock()
			s.replaced[req.Match] = room
			s.mu.Unlock()
		}
		return room, err
	})
	if err != nil {
		s.fail(w, http.StatusServiceUnavailable, err)
		return
	}
	s.assign(w, req.Player, req.Match, v.(Room), 0, time.Since(start))
}

func (s *Server) decode(w http.ResponseWriter, r *http.Request, needMatch bool) (wire.MatchRequest, bool) {
	var req wire.MatchRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024))
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	switch {
	case err != nil:
		err = fmt.Errorf("body: %w", err)
	case !validID.MatchString(req.Player):
		err = errors.New("player: required, 1–64 of A–Z a–z 0–9 . _ -")
	case needMatch && !validID.MatchString(req.Match):
		err = errors.New("match: required, 1–64 of A–Z a–z 0–9 . _ -")
	}
	if err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return req, false
	}
	return req, true
}

func (s *Server) assign(w http.ResponseWriter, player, match string, room Room, matchWait, allocWait time.Duration) {
	tok := wire.Sign(s.cfg.Key, wire.Claims{Room: room.Name, Player: player, Match: match, Expiry: time.Now().Add(s.cfg.TokenTTL).UnixMilli()})
	writeJSON(w, http.StatusOK, wire.Assignment{Match: match, Room: room.Name, Address: room.Address, Token: tok,
		MatchWaitMs: matchWait.Milliseconds(), AllocWaitMs: allocWait.Milliseconds(), Waited: room.Waited})
}

func (s *Server) fail(w http.ResponseWriter, code int, err error) {
	s.refuse(w, code, map[string]string{"error": err.Error()})
}

// refuse answers an error body; 429 and 503 carry Retry-After.
func (s *Server) refuse(w http.ResponseWriter, code int, body map[string]string) {
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(s.cfg.RetryAfter.Round(time.Second).Seconds()))))
	}
	writeJSON(w, code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
