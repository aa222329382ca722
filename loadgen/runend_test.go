package loadgen

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func waitingServer(t *testing.T, body string) *generator {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/waiting" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return &generator{matchmaker: strings.TrimPrefix(srv.URL, "http://"), http: srv.Client()}
}

// TestRunEndCountsWaitingMatches: at the scenario's end the players'
// context ends and the matches still waiting for a room are counted.
func TestRunEndCountsWaitingMatches(t *testing.T) {
	g := waitingServer(t, `{"waiting":3}`)
	play, wait := g.runEnd(t.Context(), time.Now().Add(20*time.Millisecond), slog.New(slog.DiscardHandler))
	<-play.Done()
	if n := wait(); n != 3 {
		t.Errorf("waiting at the end = %d, want 3", n)
	}
}

// TestRunEndBeforeTheEnd: players that all finish early end the run
// without waiting for the scenario's end, and count no waiting matches.
func TestRunEndBeforeTheEnd(t *testing.T) {
	g := waitingServer(t, `{"waiting":3}`)
	play, wait := g.runEnd(t.Context(), time.Now().Add(time.Hour), slog.New(slog.DiscardHandler))
	if n := wait(); n != 0 {
		t.Errorf("waiting = %d, want 0", n)
	}
	<-play.Done()
}

// TestRunEndWithoutAnAnswer: a matchmaker that answers nonsense counts
// none, and the players still stop.
func TestRunEndWithoutAnAnswer(t *testing.T) {
	g := waitingServer(t, `not json`)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	play, wait := g.runEnd(ctx, time.Now(), slog.New(slog.DiscardHandler))
	<-play.Done()
	if n := wait(); n != 0 {
		t.Errorf("waiting = %d, want 0", n)
	}
}
