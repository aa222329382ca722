package results

import (
	"math"
	"math/rand/v2"
)

// resample draws a Poisson bootstrap resample of counts into out: each
// bucket's count is Poisson with its original count as mean (Hanley &
// MacGibbon's approximation of the multinomial bootstrap, O(buckets) and
// without allocation; gonum's samplers allocate a generator per draw).
func resample(counts, out []float64, rng *rand.Rand) {
	for i, c := range counts {
		out[i] = poisson(c, rng)
	}
}

// poisson draws from Poisson(mean): Knuth's product of uniforms for
// small means, the normal approximation above 30.
func poisson(mean float64, rng *rand.Rand) float64 {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return math.Max(0, math.Round(mean+math.Sqrt(mean)*rng.NormFloat64()))
	}
	limit, k, prod := math.Exp(-mean), 0.0, rng.Float64()
	for prod > limit {
		k++
		prod *= rng.Float64()
	}
	return k
}

// quantile of a weighted sample (values ascending).
func quantile(values, weights []float64, q float64) float64 {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	target := math.Ceil(q * total)
	seen := 0.0
	for i, w := range weights {
		seen += w
		if seen >= target && w > 0 {
			return values[i]
		}
	}
	return values[len(values)-1]
}

// shareNotBeyond is the bootstrap's one-sided p: the share of resampled
// changes on the other side of zero.
func shareNotBeyond(changes []float64, positive bool) float64 {
	n := 0
	for _, c := range changes {
		if (positive && c <= 0) || (!positive && c >= 0) {
			n++
		}
	}
	return float64(n+1) / float64(len(changes)+1)
}
