package results

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// fuzzRuns spreads samples (byte × scale × 10 µs) over n runs, round
// robin: time_to_room from every byte, connect from every third (so a
// side can lack it), counters from the bytes' values.
func fuzzRuns(data []byte, n int, value func(byte) float64) []*Run {
	runs := make([]*Run, n)
	for i := range runs {
		runs[i] = &Run{Histograms: map[string]*Histogram{TimeToRoom: NewHistogram(), Connect: NewHistogram()}, Counters: map[string]int64{}}
	}
	for i, b := range data {
		r := runs[i%n]
		r.Histograms[TimeToRoom].Record(value(b))
		if b%3 == 0 {
			r.Histograms[Connect].Record(value(b))
		}
		r.Counters[Allocations] += int64(b & 1)
		r.Counters[AllocationFailures] += int64(b>>1) & 1
		r.Counters[RecoveriesOK] += int64(b>>2) & 1
		r.Counters[RecoveriesFailed] += int64(b>>3) & 1
	}
	for _, r := range runs {
		r.Summarize()
	}
	return runs
}

// checkRows holds for any comparison: no NaN, verdicts that keep the
// README's rule, and JSON that encodes and reads back the same.
func checkRows(t *testing.T, c *Comparison, opts CompareOptions) {
	t.Helper()
	for _, d := range c.Rows {
		for _, v := range []float64{d.Baseline, d.Current, d.Change, d.Low, d.High, d.KS, d.W1, d.P} {
			if math.IsNaN(v) {
				t.Fatalf("NaN in %+v", d)
			}
		}
		if d.P < 0 || d.P > 1 || math.IsInf(d.Baseline, 0) || math.IsInf(d.Current, 0) {
			t.Fatalf("p or a value out of range: %+v", d)
		}
		small := math.Abs(d.Change) < opts.MinRatioEffect
		if d.Relative {
			small = math.Abs(d.Change) < opts.MinEffect || math.Abs(d.Current-d.Baseline) < opts.MinAbsolute
		}
		if d.Worse && small {
			t.Fatalf("worse by less than counts: %+v", d)
		}
		switch d.Verdict {
		case Regression, Improvement:
			if small || d.P > opts.Alpha || d.Worse != (d.Verdict == Regression) {
				t.Fatalf("%s against the rule: %+v", d.Verdict, d)
			}
		case NotJudged:
			if d.Note == "" || !strings.HasPrefix(d.Says(), "too few ") && !strings.HasPrefix(d.Says(), "no ") {
				t.Fatalf("not judged without a reason: %+v", d)
			}
		case NoChange:
		default:
			t.Fatalf("verdict %q", d.Verdict)
		}
	}
	b, err := json.Marshal(c.Rows)
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	if strings.Contains(string(b), "NaN") || !json.Valid(b) {
		t.Fatalf("encoded: %s", b)
	}
	var back []Delta
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	for i := range back {
		if back[i] != c.Rows[i] {
			t.Fatalf("round trip: %+v, want %+v", back[i], c.Rows[i])
		}
	}
}

// FuzzCompare: any samples, any number of runs a side (1–4), any
// scale: no panic, no NaN, verdicts that keep the rule, JSON that
// round-trips. And the same runs with the baseline at 0 s and the
// current at ≥ 51 ms (a rise ≥ 50 ms and, from 0, ≥ 10%) are a
// regression at every percentile, unless too few to judge.
func FuzzCompare(f *testing.F) {
	f.Add([]byte{0, 0, 0}, []byte{100, 100, 100}, uint8(0), uint16(1000))
	f.Add([]byte{1}, []byte{200}, uint8(0), uint16(65535))
	f.Add([]byte{0, 0, 0, 0, 0, 0}, []byte{9, 9, 9, 9, 9, 9, 9, 9, 9}, uint8(10), uint16(500))
	f.Add([]byte("baseline latency samples"), []byte("current latency samples, longer"), uint8(15), uint16(40))
	f.Add([]byte{5, 6}, []byte{}, uint8(5), uint16(0))
	f.Fuzz(func(t *testing.T, base, cur []byte, runs uint8, scale uint16) {
		if len(base)+len(cur) > 4096 {
			return // the histograms' cost, not the comparison's
		}
		nb, nc := 1+int(runs%4), 1+int(runs/4%4)
		opts := CompareOptions{Seed: 1, Resamples: 200}
		value := func(b byte) float64 { return float64(b) * float64(scale) * 1e-5 }
		c, err := Compare(fuzzRuns(base, nb, value), fuzzRuns(cur, nc, value), opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.defaults()
		checkRows(t, c, opts)

		zero := func(byte) float64 { return 0 }
		rise := func(b byte) float64 { return 0.051 + value(b) }
		baseline, current := fuzzRuns(base, nb, zero), fuzzRuns(cur, nc, rise)
		if c, err = Compare(baseline, current, opts); err != nil {
			t.Fatal(err)
		}
		checkRows(t, c, opts)
		for _, d := range c.Rows {
			if !strings.HasPrefix(d.Name, TimeToRoom+".") || len(base) == 0 || len(cur) == 0 {
				continue
			}
			if d.Verdict != Regression && d.Verdict != NotJudged || !d.Worse {
				t.Fatalf("0 → ≥ 51 ms over %d and %d runs: %+v, want a regression", nb, nc, d)
			}
			if d.Verdict == NotJudged && judgeable(baseline, current, opts.Alpha) {
				t.Fatalf("0 → ≥ 51 ms over %d and %d runs, enough to judge: %+v", nb, nc, d)
			}
		}
	})
}

// judgeable: enough time_to_room samples (one run a side or fewer) or
// runs holding it (both sides repeated) for the test to reach α.
func judgeable(baseline, current []*Run, alpha float64) bool {
	if len(baseline) >= 2 && len(current) >= 2 {
		return canReach(float64(len(runValues(baseline, TimeToRoom, 0.5))), float64(len(runValues(current, TimeToRoom, 0.5))), alpha)
	}
	count := func(runs []*Run) (n float64) {
		for _, r := range runs {
			n += float64(r.Histograms[TimeToRoom].Count())
		}
		return n
	}
	return canReach(count(baseline), count(current), alpha)
}
