package dist

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestTextRoundTrip(t *testing.T) {
	for _, s := range []Sampler{Fixed(10 * time.Second), Exponential(5 * time.Second), Lognormal(8*time.Second, 0.4),
		Weibull(1.5, 10*time.Second), Uniform(time.Second, 3*time.Second), {}} {
		var back Sampler
		if err := back.UnmarshalText([]byte(s.String())); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if back.String() != s.String() || math.Abs(back.Mean()-s.Mean()) > 1e-9 {
			t.Errorf("%s read back as %s (mean %g, want %g)", s, back, back.Mean(), s.Mean())
		}
	}
}

func TestRefusalsNameTheReason(t *testing.T) {
	for text, want := range map[string]string{
		"":                   "empty",
		"gamma 3s":           "want fixed, exponential",
		"fixed":              "takes 1 values",
		"fixed -1s":          "negative",
		"lognormal 0s 0.4":   "median must be above 0",
		"lognormal 8s -1":    "positive",
		"weibull 0 10s":      "positive",
		"uniform 3s 1s":      "upper bound is below",
		"exponential 5 ":     "missing unit",
		"lognormal 8s NaN":   "positive",
		"uniform 1s 2s 3s":   "takes 2 values",
		"weibull 1.5 banana": "invalid duration",
	} {
		var s Sampler
		err := s.UnmarshalText([]byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %q", text, err, want)
		}
	}
}

// TestScaledIsTheDistributionOfKX: a scenario's times at a speedup keep
// their shape; every form's mean scales by k.
func TestScaledIsTheDistributionOfKX(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []Sampler{Fixed(10 * time.Second), Exponential(5 * time.Second), Lognormal(8*time.Second, 0.4),
		Weibull(1.5, 10*time.Second), Uniform(time.Second, 3*time.Second)} {
		half := s.Scaled(0.5)
		if math.Abs(half.Mean()-s.Mean()/2) > 1e-9 {
			t.Errorf("%s scaled by ½: mean %g, want %g", s, half.Mean(), s.Mean()/2)
		}
		var sum float64
		const n = 20000
		for range n {
			sum += half.Sample(r)
		}
		if got := sum / n; math.Abs(got-half.Mean()) > 0.05*half.Mean() {
			t.Errorf("%s: sampled mean %g, want %g", half, got, half.Mean())
		}
	}
}

func FuzzUnmarshalText(f *testing.F) {
	for _, s := range []string{"fixed 10s", "lognormal 8s 0.4", "weibull 1.5 10s", "uniform 1s 3s", "exponential 1ms", "fixed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var s Sampler
		if s.UnmarshalText([]byte(text)) != nil {
			return
		}
		var back Sampler
		if err := back.UnmarshalText([]byte(s.String())); err != nil {
			t.Fatalf("%q read as %q, which is refused: %v", text, s, err)
		}
		if v := s.Sample(rand.New(rand.NewPCG(1, 1))); math.IsNaN(v) || v < 0 {
			t.Fatalf("%q draws %g", text, v)
		}
	})
}
