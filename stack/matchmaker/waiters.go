package matchmaker

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// waiter is one match's place in the allocation queue. A queued match is
// in the waiting count; it leaves both when it picks a room, before its
// claim is sent: fleetd reads the room Allocated from its informer and
// then the count, and a match counted in both started an extra pod.
type waiter struct{ queued bool }

// waiters is the allocation queue, longest waiting first. Without it,
// every waiting match woke when a room became free and the goroutine the
// runtime ran first took it: a burst's median wait came out shorter and
// its tail longer than the FIFO wait the model and the design specify.
type waiters []*waiter

// next reserves a free room for the match if it is its turn (nobody
// waits, or it is the head of the queue), else queues it when it may
// wait: at the back on its first miss, at the front when it lost a
// claimed room to a conflict (it keeps its turn). It returns the room,
// or the channel closed on the next change to look again on. A nil *w
// is a match that has not missed yet; next sets it on the first miss.
func (a *Allocator) next(w **waiter, wait bool) (*corev1.Pod, chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.queue) == 0 || (*w != nil && (!(*w).queued || a.queue[0] == *w)) {
		if pod := a.pick(); pod != nil {
			if *w != nil && (*w).queued {
				a.queue = a.queue[1:]
				(*w).queued = false
				a.addWaitingLocked(-1)
				a.notifyLocked() // the next in line may find a room too
			}
			return pod, nil
		}
	}
	if !wait {
		return nil, a.changed
	}
	switch {
	case *w == nil:
		*w = &waiter{queued: true}
		a.queue = append(a.queue, *w)
		a.addWaitingLocked(1)
	case !(*w).queued:
		(*w).queued = true
		a.queue = slices.Insert(a.queue, 0, *w)
		a.addWaitingLocked(1)
	}
	return nil, a.changed
}

// leave ends a match's wait: one that gave up while queued leaves the
// queue and the waiting count (one that got a room left both at pick).
func (a *Allocator) leave(w *waiter) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if w.queued {
		if i := slices.Index(a.queue, w); i >= 0 {
			a.queue = slices.Delete(a.queue, i, i+1)
		}
		w.queued = false
		a.addWaitingLocked(-1)
		a.notifyLocked() // it may have been the head
	}
}

// Waiting is how many matches are blocked waiting for a room: the demand
// the countWaiting policies add to their buffer.
func (a *Allocator) Waiting() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waiting
}

// WaitingChange returns the number of waiting matches once it differs
// from unlike, or when ctx ends (then it may equal unlike): a long poll,
// so that a demand-aware controller acts as a match starts waiting.
func (a *Allocator) WaitingChange(ctx context.Context, unlike int64) int64 {
	for {
		a.mu.Lock()
		n, changed := a.waiting, a.waitingChanged
		a.mu.Unlock()
		if n != unlike {
			return n
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return n
		}
	}
}

// addWaitingLocked moves the waiting count by d and wakes the long polls
// (a.mu held).
func (a *Allocator) addWaitingLocked(d int64) {
	a.waiting += d
	close(a.waitingChanged)
	a.waitingChanged = make(chan struct{})
}
