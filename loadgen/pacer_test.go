package loadgen

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

func scenario(t *testing.T, process string, rate float64, duration string, speedup float64) *scenarios.Scenario {
	t.Helper()
	doc := `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: pace
seed: 7
duration: ` + duration + `
arrivals:
  process: ` + process + `
  segments:
    - constant: {rate: ` + ftoa(rate) + `}
players:
  perMatch: 2
slo:
  timeToRoom: {p99: 8s}
`
	sc, err := scenarios.Parse([]byte(doc), ".")
	if err != nil {
		t.Fatal(err)
	}
	sc.Speedup = speedup
	return sc
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// modelArrivals is what the model's arrival stream yields for sc.
func modelArrivals(sc *scenarios.Scenario) []float64 {
	at := sc.ArrivalTimes(rand.New(rand.NewPCG(sc.Seed, scenarios.ArrivalStream)))
	var out []float64
	for t := at.Next(); !math.IsInf(t, 1) && t <= sc.Duration.Seconds(); t = at.Next() {
		out = append(out, t)
	}
	return out
}

// On a fake clock every arrival fires exactly when due, the model's
// arrivals compressed by the speedup, and none is late.
func TestPacerFiresTheModelsArrivalsOnTime(t *testing.T) {
	for _, process := range []string{"uniform", "poisson"} {
		t.Run(process, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sc := scenario(t, process, 10, "60s", 4)
				want := modelArrivals(sc)
				start := time.Now()
				var fired []Arrival
				n := Pace(context.Background(), NewScenarioPacer(sc), start, func(a Arrival) {
					if got := time.Since(start); got != a.Intended.Sub(start) {
						t.Errorf("arrival %d fired at %s, intended %s", a.Index, got, a.Intended.Sub(start))
					}
					fired = append(fired, a)
				})
				if int(n) != len(want) || len(fired) != len(want) {
					t.Fatalf("%d arrivals fired, the model has %d", n, len(want))
				}
				for i, a := range fired {
					due := time.Duration(want[i] / 4 * float64(time.Second))
					if a.Intended.Sub(start) != due || a.Late != 0 {
						t.Fatalf("arrival %d: intended %s late %s; want %s, on time", i, a.Intended.Sub(start), a.Late, due)
					}
				}
			})
		})
	}
}

// A fire that blocks makes later arrivals late; they say by how much and
// keep their intended times (what time-to-room counts from).
func TestPacerReportsLateness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sc := scenario(t, "uniform", 10, "1s", 1) // arrivals at 0.1, 0.2, … s
		start := time.Now()
		var late []time.Duration
		Pace(context.Background(), NewScenarioPacer(sc), start, func(a Arrival) {
			late = append(late, a.Late)
			if a.Index == 0 {
				time.Sleep(450 * time.Millisecond) // the generator stalls
			}
		})
		// Arrival 0 at 0.1 s stalls until 0.55 s: 1–4 (due 0.2–0.5 s) fire late.
		want := []time.Duration{0, 350 * time.Millisecond, 250 * time.Millisecond, 150 * time.Millisecond, 50 * time.Millisecond, 0}
		for i, w := range want {
			if math.Abs(float64(late[i]-w)) > float64(time.Millisecond) {
				t.Errorf("arrival %d late %s, want %s", i, late[i], w)
			}
		}
	})
}

func TestPacerStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sc := scenario(t, "uniform", 10, "1h", 1)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if n := Pace(ctx, NewScenarioPacer(sc), time.Now(), func(Arrival) {}); n != 99 && n != 100 {
			t.Errorf("%d arrivals in 10 s at 10/s", n)
		}
	})
}
