package loadgen

import (
	"context"
	"log/slog"
	"time"

	"github.com/fleetbench/fleetbench/stack/client"
)

// runEnd ends the players' context when the scenario ends, as the model
// ends: players still forming, waiting, playing or recovering then are
// interrupted, not waited for, so both engines count the same window.
// Just before, it asks the matchmaker how many matches are formed but
// still wait for a room: the model counts a match when it forms, while a
// player learns its match only with its room. wait returns that number
// (0 when the players finished first or the matchmaker did not answer).
func (g *generator) runEnd(ctx context.Context, end time.Time, log *slog.Logger) (play context.Context, wait func() int64) {
	play, stop := context.WithCancel(ctx)
	waiting := make(chan int64, 1)
	finished := make(chan struct{})
	go func() {
		defer stop()
		var n int64
		defer func() { waiting <- n }() // also after a panic: wait never hangs
		g.bugs.guard(func() {
			select {
			case <-play.Done():
				return
			case <-finished:
				return
			case <-time.After(time.Until(end)):
			}
			ask, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			var err error
			if n, err = g.waitingMatches(ask); err != nil {
				log.Warn("matches waiting at the end unknown; counting none", "err", err)
			}
		})
	}()
	return play, func() int64 {
		close(finished)
		return <-waiting
	}
}

// waitingMatches asks the matchmaker how many matches wait for a room.
func (g *generator) waitingMatches(ctx context.Context) (int64, error) {
	return client.Waiting(ctx, g.http, g.matchmaker, nil)
}
