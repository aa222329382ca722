package results

import (
	"math"
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

func constant(v float64) func() float64 { return func() float64 { return v } }

// TestCompareZeroBaseline: a percentile of 0 s (whole milliseconds of
// match_wait) rising to 5 s is a regression with an infinite relative
// change; 0 → 0 is no change; 0 → 30 ms stays under the 50 ms floor and
// 51 ms passes it (50 ms itself reads as its bucket's midpoint, 49.9995).
func TestCompareZeroBaseline(t *testing.T) {
	t.Parallel()
	zero := runFrom(500, constant(0), 0, 10, 0)
	for _, tc := range []struct {
		to      float64
		verdict string
	}{{5, Regression}, {0, NoChange}, {0.03, NoChange}, {0.051, Regression}} {
		c, err := Compare([]*Run{zero}, []*Run{runFrom(500, constant(tc.to), 0, 10, 0)}, CompareOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"p50", "p90", "p99"} {
			d := row(t, c, "time_to_room."+q)
			if d.Verdict != tc.verdict || math.IsNaN(d.Change) || math.IsNaN(d.Low) || math.IsNaN(d.High) {
				t.Errorf("0 → %g s at %s: %+v, want %s and no NaN", tc.to, q, d, tc.verdict)
			}
			if tc.to > 0 && !math.IsInf(d.Change, 1) || tc.to == 0 && d.Change != 0 {
				t.Errorf("0 → %g s at %s: change %g, want +Inf from 0 and 0 for 0 → 0", tc.to, q, d.Change)
			}
		}
	}
	// Three runs a side: Mann–Whitney over the runs' zeros and fives.
	c, err := Compare([]*Run{zero, zero, zero}, []*Run{runFrom(50, constant(5), 0, 10, 0), runFrom(50, constant(5), 0, 10, 0), runFrom(50, constant(5), 0, 10, 0)}, CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := row(t, c, "time_to_room.p99"); d.Verdict != Regression || d.P > 0.05 {
		t.Errorf("0 → 5 s over 3 runs a side: %+v, want a regression", d)
	}
}

// TestCompareTinyBaseline: from 1 ms the relative change is huge but
// finite, and the 50 ms floor still decides.
func TestCompareTinyBaseline(t *testing.T) {
	t.Parallel()
	c, err := Compare([]*Run{runFrom(500, constant(0.001), 0, 1, 0)}, []*Run{runFrom(500, constant(2), 0, 1, 0)}, CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := row(t, c, "time_to_room.p50"); d.Verdict != Regression || math.IsInf(d.Change, 0) || d.Change < 100 {
		t.Errorf("1 ms → 2 s: %+v, want a finite ×2000 regression", d)
	}
}

// TestCompareTooFewToJudge: one sample a side resamples to itself, so
// the bootstrap's p was 1/1001 — "significant" from nothing. Two runs a
// side can never reach p ≤ 0.05 with Mann–Whitney (1/C(4,2) = 1/6).
func TestCompareTooFewToJudge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		base, cur   []*Run
		note        string
		worse       bool
		unverifieds int
	}{
		{"one sample a side, slower", []*Run{runFrom(1, constant(1), 0, 1, 0)}, []*Run{runFrom(1, constant(10), 0, 1, 0)},
			"too few samples to judge (n=1 vs n=1; need ≥ 3 a side)", true, 3},
		{"one sample a side, faster", []*Run{runFrom(1, constant(10), 0, 1, 0)}, []*Run{runFrom(1, constant(1), 0, 1, 0)},
			"too few samples to judge (n=1 vs n=1; need ≥ 3 a side)", false, 0},
		{"two runs a side", []*Run{runFrom(200, constant(1), 0, 1, 0), runFrom(200, constant(1), 0, 1, 0)},
			[]*Run{runFrom(200, constant(3), 0, 1, 0), runFrom(200, constant(3), 0, 1, 0)},
			"too few runs to judge (n=2 vs n=2; need ≥ 3 a side)", true, 3},
	} {
		c, err := Compare(tc.base, tc.cur, CompareOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		d := row(t, c, "time_to_room.p50")
		if d.Verdict != NotJudged || d.Note != tc.note || d.Says() != tc.note || d.Worse != tc.worse {
			t.Errorf("%s: %+v, want not judged: %q, worse %v", tc.name, d, tc.note, tc.worse)
		}
		if len(c.Regressions()) != 0 || len(c.Unverified()) != tc.unverifieds || len(c.Failing()) != tc.unverifieds {
			t.Errorf("%s: %d regressions, %d unverified, want 0 and %d", tc.name, len(c.Regressions()), len(c.Unverified()), tc.unverifieds)
		}
	}
	// One sample a side that did not move enough to count is judged: no
	// test could make it a change.
	c, _ := Compare([]*Run{runFrom(1, constant(1), 0, 1, 0)}, []*Run{runFrom(1, constant(1.01), 0, 1, 0)}, CompareOptions{Seed: 1})
	if d := row(t, c, "time_to_room.p50"); d.Verdict != NoChange {
		t.Errorf("1 → 1.01 s, one sample a side: %+v, want no change", d)
	}
}

// TestCanReach: the fewest observations with which an exact test can
// reach α at all.
func TestCanReach(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n1, n2 float64
		want   bool
	}{{1, 1, false}, {2, 2, false}, {2, 3, false}, {3, 3, true}, {2, 4, false}, {2, 5, true}, {1, 18, false}, {1, 19, true}, {0, 100, false}, {1 << 62, 1 << 62, true}, {math.NaN(), 5, false}} {
		if got := canReach(tc.n1, tc.n2, 0.05); got != tc.want {
			t.Errorf("canReach(%g, %g) = %v, want %v", tc.n1, tc.n2, got, tc.want)
		}
		// Mann–Whitney's smallest p agrees where it is exact.
		if tc.n1 > 0 && tc.n2 <= 400 && tc.n1*tc.n2 <= 400 {
			x, y := make([]float64, int(tc.n1)), make([]float64, int(tc.n2))
			for i := range y {
				y[i] = float64(100 + i)
			}
			for i := range x {
				x[i] = float64(i)
			}
			if _, p := MannWhitney(x, y); (p <= 0.05) != tc.want {
				t.Errorf("%g vs %g fully separated: p = %g, canReach says %v", tc.n1, tc.n2, p, tc.want)
			}
		}
	}
	if k := needAside(0.05); k != 3 {
		t.Errorf("need %g a side at α = 0.05, want 3", k)
	}
	if k := needAside(0.01); k != 5 { // C(8,4) = 70 < 100 ≤ C(10,5) = 252
		t.Errorf("need %g a side at α = 0.01, want 5", k)
	}
}

// TestCompareOneSidedAndRatios: a metric only one side holds, and a
// ratio without trials on one side, are said to be not judged; a ratio
// over two trials a side is not judged either.
func TestCompareOneSidedAndRatios(t *testing.T) {
	t.Parallel()
	base := runFrom(100, constant(1), 0, 0, 0)
	cur := runFrom(100, constant(1), 0, 5, 0)
	h := NewHistogram()
	h.Record(2)
	cur.Histograms[Connect] = h
	cur.Summarize()
	c, err := Compare([]*Run{base}, []*Run{cur}, CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := row(t, c, "connect.p99"); d.Verdict != NotJudged || d.Note != "no samples in the baseline runs (n=0 vs n=1): nothing to judge" || d.Worse {
		t.Errorf("connect only in the current run: %+v", d)
	}
	if d := row(t, c, "recovery_ratio"); d.Verdict != NotJudged || d.Note != "no trials in the baseline runs (n=0 vs n=5): nothing to judge" {
		t.Errorf("no disconnects in the baseline: %+v", d)
	}
	c, _ = Compare([]*Run{runFrom(10, constant(1), 0, 2, 0)}, []*Run{runFrom(10, constant(1), 0, 0, 2)}, CompareOptions{Seed: 1})
	if d := row(t, c, "recovery_ratio"); d.Verdict != NotJudged || !d.Worse || d.Note != "too few trials to judge (n=2 vs n=2; need ≥ 3 a side)" {
		t.Errorf("2 of 2 recovered → 0 of 2: %+v, want not judged and worse", d)
	}
}
