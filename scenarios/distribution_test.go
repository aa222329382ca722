package scenarios

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestSamplersMatchTheirMomentsAndTails(t *testing.T) {
	t.Parallel()
	sec := func(s float64) Duration { return D(time.Duration(s * float64(time.Second))) }
	fixed := sec(3)
	for name, d := range map[string]Distribution{
		"fixed":       {Fixed: &fixed},
		"exponential": {Exponential: &Exponential{Mean: sec(8)}},
		"lognormal":   {Lognormal: &Lognormal{Median: sec(30), Sigma: 0.5}},
		"weibull":     {Weibull: &Weibull{Shape: 0.7, Scale: sec(20)}},
		"uniform":     {Uniform: &Uniform{Min: sec(80), Max: sec(120)}},
	} {
		t.Run(name, func(t *testing.T) {
			s := d.Sampler()
			r := rand.New(rand.NewPCG(7, 8))
			const n = 200_000
			xs := make([]float64, n)
			var sum, sq float64
			for i := range xs {
				xs[i] = s.Sample(r)
				sum += xs[i]
				sq += xs[i] * xs[i]
			}
			mean := sum / n
			se := math.Sqrt(math.Max(sq/n-mean*mean, 0) / n)
			if math.Abs(mean-s.Mean()) > 4*se+1e-9 {
				t.Errorf("sample mean %.4f, Mean() %.4f (SE %.4f)", mean, s.Mean(), se)
			}
			for _, x := range []float64{0.5 * s.Mean(), s.Mean(), 2 * s.Mean()} {
				above := 0
				for _, v := range xs {
					if v > x {
						above++
					}
				}
				p := s.Survival(x)
				got := float64(above) / n
				if tol := 4*math.Sqrt(p*(1-p)/n) + 1e-9; math.Abs(got-p) > tol {
					t.Errorf("P(X > %.2f): sampled %.4f, Survival %.4f", x, got, p)
				}
			}
		})
	}
}
