package main

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// recordedRuns are real runs of the nightly suite at speedup 1 with the
// model of each run recomputed from its calibration: the baselines whose
// scenario is today's (a stale baseline's scenario is not).
func recordedRuns(t *testing.T) (names []string, ofRuns, measured []*results.Run) {
	t.Helper()
	paths, err := filepath.Glob("../../baselines/*/measured/*/run-*/measured.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		m, err := results.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenarios.Load(filepath.Join("../../scenarios/suite", m.Meta.Scenario+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if sc.Hash() != m.Meta.ScenarioHash || m.Calibration == nil {
			t.Logf("%s: recorded on another scenario (or without a calibration), left out", p)
			continue
		}
		of, err := sim.Run(context.Background(), sc, sim.Options{Overheads: m.Calibration})
		if err != nil {
			t.Fatal(err)
		}
		names, ofRuns, measured = append(names, p), append(ofRuns, of), append(measured, m)
	}
	if len(names) == 0 {
		t.Fatal("no recorded run matches today's suite")
	}
	return names, ofRuns, measured
}

// TestEachJudgedValueCanFail mutates real runs one value at a time — a
// latency 30% above the model of the run, a counter 20% above it — and the
// model check must fail on exactly that value, for every value it judges;
// values it does not judge must say why. At speedup 1 no latency above
// floor/ModelJudgeLatency (0.167 s) is left unjudged by the floor.
func TestEachJudgedValueCanFail(t *testing.T) {
	names, ofRuns, measured := recordedRuns(t)
	judged, notJudged, failed := 0, 0, 0
	byName := map[string]int{}
	for i, m := range measured {
		base := results.CheckModel(ofRuns[i], m)
		failing := map[string]bool{}
		for _, f := range base.Failed() {
			failing[f.Name], failed = true, failed+1
		}
		for _, d := range base.Deviations {
			if !d.Judged {
				notJudged++
				if d.NotJudged == "" {
					t.Errorf("%s: %s is not judged and does not say why", names[i], d.Name)
				}
				if d.Model > results.ModelWallFloor/results.ModelJudgeLatency && strings.Contains(d.Name, " p") && m.Meta.Speedup == 1 &&
					strings.Contains(d.NotJudged, "floor") {
					t.Errorf("%s at speedup 1: %s (%.3g s) left unjudged by the floor", names[i], d.Name, d.Model)
				}
				continue
			}
			judged++
			byName[d.Name]++
			if !d.Pass {
				continue // already failing: nothing to show
			}
			var added []string
			for _, f := range results.CheckModel(ofRuns[i], mutate(m, d)).Failed() {
				if !failing[f.Name] {
					added = append(added, f.Name)
				}
			}
			if len(added) != 1 || added[0] != d.Name {
				t.Errorf("%s: %s moved to %s the model's value newly failed %v, want it alone", names[i], d.Name, raised(d.Name), added)
			}
		}
	}
	t.Logf("%d recorded runs: %d values judged (each shown to fail), %d not judged; %d values already outside their allowance; judged in how many runs: %v",
		len(measured), judged, notJudged, failed, byName)
}

// mutate copies m with d's value raised: a latency to 1.3 and a counter
// to 1.2 times the model's value (rounded up).
func mutate(m *results.Run, d results.Deviation) *results.Run {
	c := *m
	c.Metrics, c.Counters = map[string]results.Metric{}, map[string]int64{}
	for k, v := range m.Metrics {
		c.Metrics[k] = v
	}
	for k, v := range m.Counters {
		c.Counters[k] = v
	}
	if name, stat, ok := strings.Cut(d.Name, " "); ok {
		v := c.Metrics[name]
		switch stat {
		case "p50":
			v.P50 = 1.3 * d.Model
		case "p90":
			v.P90 = 1.3 * d.Model
		}
		c.Metrics[name] = v
		return &c
	}
	c.Counters[d.Name] = int64(math.Ceil(1.2 * d.Model))
	return &c
}

func raised(name string) string {
	if strings.Contains(name, " ") {
		return "1.3×"
	}
	return "1.2×"
}
