package results

import (
	"math/rand/v2"
	"testing"
)

// runFrom is a run whose time_to_room holds n draws of sample, with
// allocation and recovery counters.
func runFrom(n int, sample func() float64, failures, recovered, lost int64) *Run {
	h := NewHistogram()
	for range n {
		h.Record(sample())
	}
	r := &Run{Histograms: map[string]*Histogram{TimeToRoom: h}, Counters: map[string]int64{
		Allocations: int64(n), AllocationFailures: failures, RecoveriesOK: recovered, RecoveriesFailed: lost}}
	r.Summarize()
	return r
}

func row(t *testing.T, c *Comparison, name string) Delta {
	t.Helper()
	for _, d := range c.Rows {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no row %s in %+v", name, c.Rows)
	return Delta{}
}

// TestComparePlantedRegression: time-to-room 30% slower is a regression
// at p99 with an interval around +30%; a second draw of the same
// distribution is no change at any percentile.
func TestComparePlantedRegression(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	lognormal := func(scale float64) func() float64 {
		return func() float64 { return scale * rng.ExpFloat64() * (0.5 + rng.Float64()) }
	}
	base := runFrom(3000, lognormal(1), 3, 200, 1)
	same := runFrom(3000, lognormal(1), 4, 198, 2)
	slower := runFrom(3000, lognormal(1.3), 3, 199, 1)

	c, err := Compare([]*Run{base}, []*Run{slower}, CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p99 := row(t, c, "time_to_room.p99")
	if p99.Verdict != Regression || p99.Low > 0.3 || p99.High < 0.3 || p99.Low <= 0 {
		t.Errorf("planted +30%%: %+v, want a regression with 0 < low ≤ 0.3 ≤ high", p99)
	}
	if len(c.Regressions()) == 0 {
		t.Error("no regressions listed")
	}
	t.Logf("planted +30%%: p99 %+.1f%%, interval %+.1f%% … %+.1f%%, p = %.3g", p99.Change*100, p99.Low*100, p99.High*100, p99.P)

	c, err = Compare([]*Run{base}, []*Run{same}, CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range c.Rows {
		if d.Verdict != NoChange {
			t.Errorf("noise judged %s: %+v", d.Verdict, d)
		}
	}
}

// TestCompareRepeatedRuns: with three runs a side, the verdict rests on
// Mann–Whitney U over the runs' percentiles; a ratio that got worse is a
// regression in its own direction.
func TestCompareRepeatedRuns(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 3))
	exp := func(scale float64) func() float64 { return func() float64 { return scale * rng.ExpFloat64() } }
	var base, worse, noisy []*Run
	for range 3 {
		base = append(base, runFrom(2000, exp(1), 0, 500, 0))
		worse = append(worse, runFrom(2000, exp(1.5), 0, 450, 50)) // slower, and a tenth of the sessions lost
		noisy = append(noisy, runFrom(2000, exp(1), 0, 500, 0))
	}
	c, err := Compare(base, worse, CompareOptions{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d := row(t, c, "time_to_room.p90"); d.Verdict != Regression || d.P != 0.05 {
		t.Errorf("p90 +50%% over 3 runs: %+v, want a regression with U's exact p = 0.05", d)
	}
	if d := row(t, c, "recovery_ratio"); d.Verdict != Regression || d.Change > -0.09 {
		t.Errorf("recovery 100%% → 90%%: %+v, want a regression", d)
	}
	c, _ = Compare(base, noisy, CompareOptions{Seed: 2})
	for _, d := range c.Rows {
		if d.Verdict != NoChange {
			t.Errorf("noise over 3 runs judged %s: %+v", d.Verdict, d)
		}
	}
}

// TestCompareIgnoresMillisecondNoise: a 30% slower connect of 10 ms is
// below the 50 ms that counts, however significant.
func TestCompareIgnoresMillisecondNoise(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 5))
	exp := func(scale float64) func() float64 { return func() float64 { return scale * rng.ExpFloat64() } }
	c, err := Compare([]*Run{runFrom(3000, exp(0.01), 0, 1, 0)}, []*Run{runFrom(3000, exp(0.013), 0, 1, 0)}, CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := row(t, c, "time_to_room.p99"); d.Verdict != NoChange || d.Change < 0.1 {
		t.Errorf("10 ms → 13 ms: %+v, want a visible change judged no change", d)
	}
}
