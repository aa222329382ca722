package wsbench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// Sessions holds WebSocket sessions the way loadgen's players do: one
// goroutine and one client.Conn each, from one shared client.Dialer,
// sending an input every Interval and waiting for its echo — or, with
// Stream, playing as loadgen's players do (client.Player: join, then an
// input every Interval awaited in the room's states) against a Stream.
type Sessions struct {
	URLs     []string // ws:// targets, used round-robin (one source port range each)
	Count    int
	Interval time.Duration
	Stream   bool
	// Dialing bounds the handshakes in flight while connecting.
	Dialing int

	held, failed atomic.Int64
}

// Held is the number of sessions connected now.
func (s *Sessions) Held() int64 { return s.held.Load() }

// Failed is the number of sessions that could not connect or broke.
func (s *Sessions) Failed() int64 { return s.failed.Load() }

// Run opens every session and keeps them until ctx ends.
func (s *Sessions) Run(ctx context.Context) {
	d := client.NewDialer()
	gate := make(chan struct{}, max(s.Dialing, 1))
	var wg sync.WaitGroup
	for i := range s.Count {
		gate <- struct{}{}
		if ctx.Err() != nil {
			break
		}
		if s.Stream {
			wg.Go(func() { s.player(ctx, d, s.URLs[i%len(s.URLs)], gate) })
			continue
		}
		wg.Go(func() {
			c, err := d.Dial(ctx, s.URLs[i%len(s.URLs)])
			<-gate
			if err != nil {
				s.failed.Add(1)
				return
			}
			s.held.Add(1)
			defer s.held.Add(-1)
			defer c.Drop()
			if err := s.play(ctx, c); err != nil && ctx.Err() == nil {
				s.failed.Add(1)
			}
		})
	}
	wg.Wait()
}

// play sends an input every Interval (first at a random phase, so the
// sessions do not beat in step) and reads its echo.
func (s *Sessions) play(ctx context.Context, c *client.Conn) error {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(s.Interval))))
	defer t.Stop()
	for n := uint64(1); ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := c.Send(wire.Message{Type: wire.TypeInput, Input: n}); err != nil {
			return err
		}
		m, err := c.Next(ctx)
		if err != nil {
			return err
		}
		if m.Input != n {
			return fmt.Errorf("echo of input %d came back as %d", n, m.Input)
		}
		t.Reset(s.Interval)
	}
}

// player joins a Stream and plays: an input every Interval (first at a
// random phase), awaited in the states, as loadgen's players play.
func (s *Sessions) player(ctx context.Context, d *client.Dialer, url string, gate chan struct{}) {
	p := &client.Player{Dialer: d}
	err := p.Join(ctx, url, "any")
	<-gate
	if err != nil {
		s.failed.Add(1)
		return
	}
	s.held.Add(1)
	defer s.held.Add(-1)
	defer p.Conn.Drop()
	t := time.NewTimer(time.Duration(rand.Int64N(int64(s.Interval))))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := p.Input(); err != nil {
			s.failed.Add(1)
			return
		}
		if err := p.Await(ctx, p.Sent); err != nil {
			if ctx.Err() == nil {
				s.failed.Add(1)
			}
			return
		}
		t.Reset(s.Interval)
	}
}
