package results

import (
	"math"
	"testing"
	"time"
)

func TestStorms(t *testing.T) {
	t.Parallel()
	r := &Run{
		Series: Series{Step: 10 * time.Second, Values: map[string][]float64{
			// 10 s steps: a background reconnect at 20 s, a storm 60–90 s, another at 150 s.
			SeriesReconnects: {0, 0, 0.1, 0, 0, 0, 2, 3, 1, 0, 0, 0, 0, 0, 0, 0.5, 0},
		}},
		Events: []Event{{At: Offset(time.Minute), Kind: "rollingDeploy"}, {At: Offset(110 * time.Second), Kind: "scaleUp"}, {At: Offset(150 * time.Second), Kind: "crash"}},
	}
	storms, before := Storms(r)
	if before != 1 {
		t.Errorf("background reconnects %v, want 1", before)
	}
	if len(storms) != 2 {
		t.Fatalf("storms %+v: want one per disruption (scale-ups are not)", storms)
	}
	// The background before it: 1 reconnect in 60 s, so 60 − 30 s × 1/60.
	if s := storms[0]; s.Peak != 3 || s.Reconnects != 59.5 || s.Duration != 30*time.Second {
		t.Errorf("deploy storm %+v: want peak 3/s, 59.5 reconnects above the background over 30 s", s)
	}
	if s := storms[1]; s.Peak != 0.5 || s.Reconnects != 5 || s.Duration != 10*time.Second {
		t.Errorf("crash storm %+v", s)
	}
}

// TestStormIsAnExcess: a storm on a steady background of drops counts
// only what rises above it, and ends when the rate is back within noise,
// not at the next disruption.
func TestStormIsAnExcess(t *testing.T) {
	t.Parallel()
	// 10 s steps, 1 reconnect/s all along (with Poisson-sized wobble), a
	// deploy at 10 min adds 5/s for 30 s.
	var series []float64
	for i := range 200 {
		v := 1.0 + 0.2*float64(i%3-1)
		if i >= 60 && i < 63 {
			v += 5
		}
		series = append(series, v)
	}
	r := &Run{Series: Series{Step: 10 * time.Second, Values: map[string][]float64{SeriesReconnects: series}},
		Events: []Event{{At: Offset(10 * time.Minute), Kind: "rollingDeploy"}}}
	storms, _ := Storms(r)
	if len(storms) != 1 {
		t.Fatalf("storms %+v", storms)
	}
	s := storms[0]
	if s.Duration != 30*time.Second || math.Abs(s.Reconnects-150) > 3 || math.Abs(s.Baseline-1) > 0.01 {
		t.Errorf("storm %+v: want 150 reconnects above a baseline of 1/s, over 30 s (not the 1,400 s to the run's end)", s)
	}
}
