//go:build e2e

package loadgen

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// TestSuiteRunJudgesEveryLatency: a real run of the nightly suite's
// ondemand-short at speedup 1 on the local cluster, judged against the
// model of the run, judges every latency the model predicts above zero —
// neither the wall-clock floor nor the quantile band at its sample size
// leaves one out — and so could fail on any of them.
func TestSuiteRunJudgesEveryLatency(t *testing.T) {
	doc, err := os.ReadFile("../scenarios/suite/ondemand-short.yaml")
	if err != nil {
		t.Fatal(err)
	}
	run, _ := realRun(t, string(doc), 6*time.Minute)
	if run.Calibration == nil {
		t.Fatal("the run measured no calibration: there is no model of it")
	}
	sc, err := scenarios.Parse(doc, ".")
	if err != nil {
		t.Fatal(err)
	}
	ofRun, err := sim.Run(context.Background(), sc, sim.Options{Overheads: run.Calibration})
	if err != nil {
		t.Fatal(err)
	}
	check := results.CheckModel(ofRun, run)
	latencies := 0
	for _, d := range check.Deviations {
		t.Logf("%s; resolution ±%.3g", d, d.Resolution)
		if !strings.Contains(d.Name, " ") || d.Model <= 0 {
			continue
		}
		latencies++
		if !d.Judged {
			t.Errorf("%s is not judged at speedup 1", d.Name)
		}
	}
	if latencies < 8 {
		t.Errorf("%d latencies compared, want p50 and p90 of time_to_room, match_wait, alloc_wait and reconnect_latency", latencies)
	}
	t.Logf("model of this run: %s", check.Summary())
}
