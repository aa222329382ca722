package fleet

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// expectationTTL bounds how long a create or delete not yet seen in the
// informer's cache is counted: long enough for a slow watch, short enough
// that a lost event does not freeze the fleet.
const expectationTTL = 30 * time.Second

// expectations are the controller's own changes its cache has not shown
// yet, as Kubernetes' ReplicaSet controller keeps them: without them a
// reconcile that runs before the cache shows a pod it just created creates
// it again (a buffer of 2 came up with 3 rooms).
type expectations struct {
	created map[string]expected // pod name → room as created
	deleted map[string]time.Time
}

type expected struct {
	at    time.Time
	state Room
}

func newExpectations() expectations {
	return expectations{created: map[string]expected{}, deleted: map[string]time.Time{}}
}

// observe settles the expectations against the cache: a created pod that
// shows up, or a deleted one that is gone or deleting, is expected no more.
// It returns whether the pod is one this controller deleted.
func (e expectations) observe(p *corev1.Pod) (deleted bool) {
	delete(e.created, p.Name)
	if _, ok := e.deleted[p.Name]; ok {
		if p.DeletionTimestamp != nil {
			delete(e.deleted, p.Name)
		}
		return true
	}
	return false
}

// pending are the rooms created but not yet seen, as the plan must count
// them; it forgets expectations older than the TTL and deletions whose
// pod is no longer in the cache.
func (e expectations) pending(now time.Time, inCache map[string]bool) []Room {
	var out []Room
	for name, x := range e.created {
		if now.Sub(x.at) > expectationTTL {
			delete(e.created, name)
			continue
		}
		out = append(out, x.state)
	}
	for name, at := range e.deleted {
		if !inCache[name] || now.Sub(at) > expectationTTL {
			delete(e.deleted, name)
		}
	}
	return out
}
