package room

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/redistest"
)

// BenchmarkTickFullRoom: one tick of a full room: encode the state, write
// it and the changed sessions to Redis in one round trip, and queue the
// frame for every player (the writes to the sockets run on the players'
// writer goroutines, outside this figure). Every player sends an input
// per tick, so every session is written every tick: the worst case.
func BenchmarkTickFullRoom(b *testing.B) {
	rs := redistest.Start(&testing.T{})
	defer rs.Stop()
	for _, players := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("players=%d", players), func(b *testing.B) {
			cfg := testConfig(fmt.Sprintf("bench-%d", players))
			cfg.Capacity, cfg.Tick, cfg.RateLimit, cfg.Burst = players, time.Hour, 1e9, 1e9
			r := startRoom(&testing.T{}, rs, cfg, time.Minute, 1000)
			defer r.kill()
			// Each test client reads into a 4,096-message buffer: run at
			// most that many ticks (make bench uses 2,000).
			for i := range players {
				r.join(&testing.T{}, fmt.Sprintf("p%d", i))
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r.srv.mu.Lock()
				for _, p := range r.srv.game.players {
					r.srv.game.apply(p, p.sess.LastInput+1)
				}
				r.srv.mu.Unlock()
				b.StartTimer()
				r.srv.tick(ctx)
			}
		})
	}
}
