package room

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Session is one player's state in Redis: what survives a reconnect, a
// drain or a crash of the room server.
type Session struct {
	ID, Room, Player, Match string
	LastInput, Applied      uint64
}

// Why a session cannot be restored.
var (
	ErrWindowExpired  = errors.New("recovery window expired")
	ErrUnknownSession = errors.New("unknown session")
	ErrStreamTrimmed  = errors.New("missed messages no longer kept")
)

// Store keeps sessions (a hash each, expiring after the recovery window)
// and each room's messages (a stream capped at StreamLen) in Redis.
type Store struct {
	rdb       redis.UniversalClient
	window    time.Duration
	streamLen int64
}

// NewStore uses rdb; window is the recovery window, streamLen the
// messages kept per room.
func NewStore(rdb redis.UniversalClient, window time.Duration, streamLen int64) *Store {
	return &Store{rdb: rdb, window: window, streamLen: streamLen}
}

// seenFor outlives the window so an expired session is told from one
// that never existed.
const seenFor = 24 * time.Hour

func sessionKey(id string) string { return "fb:session:" + id }
func seenKey(id string) string    { return "fb:seen:" + id }
func streamKey(room string) string {
	return "fb:room:" + room + ":stream"
}

// Tick writes one tick in a single round trip: the state message into the
// room's stream under ID seq-1, every changed session, and a new expiry
// for the touched ones (connected players: the window runs from the
// disconnect). Callers broadcast only after it returns, so an
// acknowledged input is stored.
func (s *Store) Tick(ctx context.Context, room string, seq uint64, state []byte, changed []Session, created, touched []string) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, &redis.XAddArgs{Stream: streamKey(room), ID: strconv.FormatUint(seq, 10) + "-1", MaxLen: s.streamLen, Values: []string{"m", string(state)}})
		p.PExpire(ctx, streamKey(room), s.window+time.Minute)
		for _, ss := range changed {
			p.HSet(ctx, sessionKey(ss.ID), "room", ss.Room, "player", ss.Player, "match", ss.Match,
				"lastInput", ss.LastInput, "applied", ss.Applied)
			p.PExpire(ctx, sessionKey(ss.ID), s.window)
		}
		for _, id := range created {
			p.Set(ctx, seenKey(id), 1, seenFor)
		}
		for _, id := range touched {
			p.PExpire(ctx, sessionKey(id), s.window)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("session store: %w", err)
	}
	return nil
}

// Load reads a session, or says why it is gone.
func (s *Store) Load(ctx context.Context, id string) (Session, error) {
	m, err := s.rdb.HGetAll(ctx, sessionKey(id)).Result()
	if err != nil {
		return Session{}, fmt.Errorf("session store: %w", err)
	}
	if len(m) == 0 {
		n, err := s.rdb.Exists(ctx, seenKey(id)).Result()
		if err != nil {
			return Session{}, fmt.Errorf("session store: %w", err)
		}
		if n > 0 {
			return Session{}, ErrWindowExpired
		}
		return Session{}, ErrUnknownSession
	}
	ss := Session{ID: id, Room: m["room"], Player: m["player"], Match: m["match"]}
	ss.LastInput, _ = strconv.ParseUint(m["lastInput"], 10, 64)
	ss.Applied, _ = strconv.ParseUint(m["applied"], 10, 64)
	return ss, nil
}

// Replay returns the room's messages after seq, in order. It fails with
// ErrStreamTrimmed when the first of them is no longer kept.
func (s *Store) Replay(ctx context.Context, room string, after uint64) ([][]byte, error) {
	entries, err := s.rdb.XRange(ctx, streamKey(room), strconv.FormatUint(after+1, 10)+"-0", "+").Result()
	if err != nil {
		return nil, fmt.Errorf("session store: %w", err)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	// A client that saw `after` needs after+1 onwards; one that saw
	// nothing takes what there is.
	if first := entrySeq(entries[0].ID); after > 0 && first != after+1 {
		return nil, fmt.Errorf("%w (want %d, oldest kept %d)", ErrStreamTrimmed, after+1, first)
	}
	out := make([][]byte, 0, len(entries))
	for _, e := range entries {
		m, _ := e.Values["m"].(string)
		out = append(out, []byte(m))
	}
	return out, nil
}

func entrySeq(id string) uint64 {
	ms, _, _ := strings.Cut(id, "-")
	n, _ := strconv.ParseUint(ms, 10, 64)
	return n
}

// RedisOptions are the room server's Redis client settings. A read while
// Redis is down must fail fast: the player backs off and retries on its
// own schedule (the model's), and go-redis's defaults (5 dials 100 ms
// apart for each of 4 tries) held each refusal for about 1.7 s. One dial
// per try, and one retry after 20–50 ms for a pooled connection that a
// restart has closed.
func RedisOptions(addr string) *redis.Options {
	return &redis.Options{Addr: addr, DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		DialerRetries: 1, MaxRetries: 1, MinRetryBackoff: 20 * time.Millisecond, MaxRetryBackoff: 50 * time.Millisecond}
}
