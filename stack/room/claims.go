package room

import (
	"context"
	"time"

	"github.com/fleetbench/fleetbench/policy"
)

// claimCheck is how often (at most) the room looks for an allocation
// nobody used, or for its own idleness; shorter timeouts are checked four
// times as often.
const claimCheck = 5 * time.Second

// checkEvery is the period of checkClaims.
func (c Config) checkEvery() time.Duration {
	every := claimCheck
	for _, d := range []time.Duration{c.ClaimTimeout, c.IdleTimeout} {
		if d > 0 {
			every = min(every, max(d/4, time.Millisecond))
		}
	}
	return every
}

// checkClaims looks at a room no player is in: an allocation nobody used
// within ClaimTimeout (say, every player gave up first) goes back to
// None; a room None for IdleTimeout marks itself WaitToBeDeleted, as an
// OpenKruiseGame game server does when idle (the GameServerSet deletes
// it at its next scale-down). Both writes are conditional: they lose to
// any allocation made meanwhile. It returns when the room was first seen
// allocated and unused (zero: it is not).
func (s *Server) checkClaims(ctx context.Context, unusedSince time.Time) time.Time {
	if s.cfg.ClaimTimeout <= 0 && s.cfg.IdleTimeout <= 0 {
		return time.Time{}
	}
	s.mu.Lock()
	free := s.ops == policy.None && len(s.game.players) == 0 && !s.draining
	noneFor := time.Since(s.noneSince)
	s.mu.Unlock()
	if !free {
		return time.Time{}
	}
	state, version, err := s.pub.Observe(ctx)
	switch {
	case err != nil:
		return time.Time{}
	case state == policy.None && s.cfg.IdleTimeout > 0 && noneFor >= s.cfg.IdleTimeout:
		s.retire(ctx, version)
		return time.Time{}
	case state != policy.Allocated || s.cfg.ClaimTimeout <= 0:
		return time.Time{}
	}
	now := time.Now()
	if unusedSince.IsZero() {
		return now
	}
	if now.Sub(unusedSince) < s.cfg.ClaimTimeout {
		return unusedSince
	}
	if err := s.pub.PublishIf(ctx, policy.None, s.cfg.Address, version); err != nil {
		s.log.Info("unused allocation kept (the room changed meanwhile)", "err", err)
		return time.Time{}
	}
	s.mu.Lock()
	s.noneSince = time.Now()
	s.mu.Unlock()
	s.log.Info("allocation unused past the claim timeout: room free again", "timeout", s.cfg.ClaimTimeout)
	return time.Time{}
}

// retire publishes WaitToBeDeleted if the room is still at version.
func (s *Server) retire(ctx context.Context, version string) {
	if err := s.pub.PublishIf(ctx, policy.WaitToBeDeleted, s.cfg.Address, version); err != nil {
		s.log.Info("idle room kept (it was allocated meanwhile)", "err", err)
		return
	}
	s.mu.Lock()
	if s.ops == policy.None {
		s.ops = policy.WaitToBeDeleted
	}
	s.mu.Unlock()
	s.log.Info("room idle past the idle timeout: WaitToBeDeleted", "timeout", s.cfg.IdleTimeout)
}
