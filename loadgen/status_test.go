package loadgen

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestStatusLine: rates are per scenario second, the p99 covers the last
// 10 s in scenario seconds (HdrHistogram: 3 digits), and a non-terminal gets a line every 10 s.
func TestStatusLine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s := newStatus(newClock(start, 60), 2*time.Hour)
		var out bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { s.report(ctx, &out, func() int { return 4 }); close(done) }()
		for range 10 {
			s.arrivals.Add(12) // 12 per wall second = 0.2 per scenario second at 60×
			s.joined(0.5)      // 30 scenario seconds
			time.Sleep(time.Second)
		}
		time.Sleep(time.Millisecond)
		cancel()
		<-done
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 1 {
			t.Fatalf("status %q: want one line after 10 s", out.String())
		}
		for _, want := range []string{"10m0s/2h0m0s (wall 10s)", "in rooms 10", "arrivals 0.20/s", "p99 time_to_room 30.0", "reconnects 0.00/s", "nodes 4"} {
			if !strings.Contains(lines[0], want) {
				t.Errorf("status %q lacks %q", lines[0], want)
			}
		}
	})
}
