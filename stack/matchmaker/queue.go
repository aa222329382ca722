package matchmaker

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fleetbench/fleetbench/stack/settings"
)

// ticket is one queued player; done receives the outcome once.
type ticket struct {
	player   string
	enqueued time.Time
	matched  time.Time
	done     chan outcome
}

type outcome struct {
	match string
	room  Room
	err   error
}

// ErrQueueFull: the queue holds MaxQueue players already.
var ErrQueueFull = errors.New("matchmaking queue is full")

// queue forms matches of perMatch players, first come first served. When
// the oldest player has waited timeout, "start" begins the match with
// whoever is there and "requeue" makes them all wait again.
type queue struct {
	perMatch  int
	timeout   time.Duration
	onTimeout settings.OnTimeout
	maxQueue  int
	start     func(match string, players []*ticket) // runs each formed match

	mu      sync.Mutex
	waiting []*ticket
	matches atomic.Uint64
}

func (q *queue) add(t *ticket) error {
	q.mu.Lock()
	if len(q.waiting) >= q.maxQueue {
		q.mu.Unlock()
		return ErrQueueFull
	}
	q.waiting = append(q.waiting, t)
	var formed []*ticket
	if len(q.waiting) >= q.perMatch {
		formed = q.take(q.perMatch)
	}
	q.mu.Unlock()
	if formed != nil {
		q.form(formed)
	}
	return nil
}

// take removes the first n tickets (q.mu held).
func (q *queue) take(n int) []*ticket {
	formed := make([]*ticket, n)
	copy(formed, q.waiting)
	q.waiting = append(q.waiting[:0], q.waiting[n:]...)
	return formed
}

// remove drops a ticket whose player gave up; false if it was matched.
func (q *queue) remove(t *ticket) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, w := range q.waiting {
		if w == t {
			q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
			return true
		}
	}
	return false
}

func (q *queue) form(players []*ticket) {
	now := time.Now()
	for _, t := range players {
		t.matched = now
	}
	id := "m" + strconv.FormatUint(q.matches.Add(1), 10) + "-" + strconv.FormatInt(now.UnixNano(), 36)
	go q.start(id, players)
}

// expire applies the timeout policy to the oldest players.
func (q *queue) expire(now time.Time) {
	if q.timeout <= 0 {
		return
	}
	q.mu.Lock()
	if len(q.waiting) == 0 || now.Sub(q.waiting[0].enqueued) < q.timeout {
		q.mu.Unlock()
		return
	}
	if q.onTimeout == settings.Requeue {
		for _, t := range q.waiting {
			if now.Sub(t.enqueued) >= q.timeout {
				t.enqueued = now
			}
		}
		q.mu.Unlock()
		return
	}
	formed := q.take(min(len(q.waiting), q.perMatch))
	q.mu.Unlock()
	q.form(formed)
}

func (q *queue) length() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}
