//go:build e2e

package loadgen

import (
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/conformance"
)

// TestConformanceRealRuns: the real run on the local cluster, at speedup
// 1, measures every known answer within conformance.Tolerance (after the
// room's readiness period where the answer waits for a room to start),
// and its counters exactly.
func TestConformanceRealRuns(t *testing.T) {
	for _, c := range conformance.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			doc, err := conformance.Document(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			run, _ := realRun(t, string(doc), 8*time.Minute)
			for _, a := range c.Answers {
				got, _ := a.Value(run)
				t.Logf("%s %s: measured %.3f s, known answer %g s (model %g s)", a.Metric, a.Stat, got, a.Expected(false), a.Want)
				if err := a.Check(run, false); err != nil {
					t.Error(err)
				}
			}
			for name, want := range c.Counters {
				if got := run.Counters[name]; got != want {
					t.Errorf("%s = %d, want %d", name, got, want)
				}
			}
			for _, up := range run.ScaleUps {
				t.Logf("node %s at %s: created %.2fs, Ready %.2fs, pod Running %.2fs, room Ready %.2fs", up.Node, up.At, up.Created, up.Ready, up.PodRunning, up.RoomReady)
			}
			for _, ev := range run.Events {
				t.Logf("event %s %s %s", ev.At, ev.Kind, ev.Detail)
			}
			t.Logf("counters %v", run.Counters)
			if cal := run.Calibration; cal != nil {
				// Where a real run's time goes beyond the scenario's delays.
				t.Logf("overheads: pod start %.3f s (%d rooms), allocate %.3f s, join %.3f s, reconnect %.3f s, rejoin %.3f s, node Ready %.3f s",
					cal.PodStart.Seconds, cal.PodStart.Samples, cal.Allocate.Seconds, cal.Join.Seconds,
					cal.Reconnect.Seconds, cal.Rejoin.Seconds, cal.NodeReady.Seconds)
			}
		})
	}
}
