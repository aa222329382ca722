package room

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Serve runs the room server on ln until ctx ends (SIGTERM), then drains
// within grace: the server stops accepting, clients are told to
// reconnect, sessions are written, and it returns before grace is over.
func Serve(ctx context.Context, s *Server, ln net.Listener, grace time.Duration) error {
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	runCtx, stopTick := context.WithCancel(context.WithoutCancel(ctx))
	defer stopTick()
	errs := make(chan error, 2)
	go func() { errs <- s.Run(runCtx) }()
	go func() {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errs <- err
		}
	}()
	select {
	case err := <-errs:
		hs.Close()
		return err
	case <-ctx.Done():
	}
	// Leave a margin of the grace period for the process to exit.
	drainCtx, cancel := context.WithTimeout(context.Background(), grace*8/10)
	defer cancel()
	s.Drain(drainCtx)
	stopTick()
	// Hijacked WebSocket connections are not tracked by Shutdown; Drain
	// closed them. This ends the listener and idle HTTP connections.
	return hs.Shutdown(drainCtx)
}
