package results

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

func TestStepFor(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]time.Duration{
		10 * time.Minute:    time.Second,
		2 * time.Hour:       5 * time.Second,
		24 * time.Hour:      time.Minute,
		30 * 24 * time.Hour: 30 * time.Minute,
	} {
		if got := StepFor(d); got != want {
			t.Errorf("StepFor(%s) = %s, want %s", d, got, want)
		}
		if n := d / StepFor(d); n > MaxPoints {
			t.Errorf("StepFor(%s) gives %d points", d, n)
		}
	}
}

func TestHistogramSummary(t *testing.T) {
	t.Parallel()
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(float64(i) / 1000) // 1 ms … 1 s
	}
	m := h.Metric()
	var err error
	if m.Count != 1000 || m.P50 < 0.499 || m.P50 > 0.501 || m.P99 < 0.989 || m.P99 > 0.991 {
		t.Errorf("summary = %+v", m)
	}
	if m.HDR, err = h.Encode(); err != nil {
		t.Fatal(err)
	}
	back, err := m.Histogram()
	if err != nil {
		t.Fatal(err)
	}
	if back.Count() != 1000 || back.Quantile(0.99) != m.P99 {
		t.Errorf("decoded histogram differs: count %d p99 %g", back.Count(), back.Quantile(0.99))
	}
}

func TestRoundTripAndJudge(t *testing.T) {
	t.Parallel()
	h := NewHistogram()
	h.Record(1)
	h.Record(12)
	r := &Run{
		Meta:     Meta{Scenario: "x", Source: SourceModel, Seed: 3},
		Metrics:  map[string]Metric{TimeToRoom: h.Metric()},
		Counters: map[string]int64{Allocations: 999, AllocationFailures: 1, RecoveriesOK: 10},
		Series:   Series{Step: 10 * time.Second, Values: map[string][]float64{SeriesNodes: {1, 2}}},
	}
	ten, two := scenarios.D(10*time.Second), scenarios.D(2*time.Second)
	r.Verdicts = Judge(r, scenarios.SLO{
		TimeToRoom:         scenarios.Percentiles{P50: &two, P99: &ten},
		AllocationFailures: &scenarios.MaxRatio{Max: 0.001},
		StateRecovery:      &scenarios.MinRatio{Min: 0.999},
	})
	want := map[string]bool{"timeToRoom.p50": true, "timeToRoom.p99": false, "allocationFailures.max": true, "stateRecovery.min": true}
	for _, v := range r.Verdicts {
		if w, ok := want[v.SLO]; !ok || w != v.Pass {
			t.Errorf("verdict %+v, want pass=%v", v, w)
		}
	}
	path := filepath.Join(t.TempDir(), "model.json")
	if err := WriteFile(path, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Marshal(r)
	b, _ := Marshal(back)
	if !bytes.Equal(a, b) {
		t.Errorf("round trip differs:\n%s\n%s", a, b)
	}
	if err := os.WriteFile(path, []byte(`{"meta":{"source":"guess"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil {
		t.Error("a run with an unknown source was accepted")
	}
}
