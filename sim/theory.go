package sim

import (
	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/stat/distuv"
)

// ErlangB is the blocking probability of an M/G/s/s loss system with
// offered load a = λ·E[L], by the stable recursion B(k) = aB(k−1)/(k+aB(k−1)).
func ErlangB(s int, a float64) float64 {
	b := 1.0
	for k := 1; k <= s; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// ErlangC is the probability of waiting in an M/M/s queue with offered
// load a (1 when a ≥ s: the queue is unstable).
func ErlangC(s int, a float64) float64 {
	if a >= float64(s) {
		return 1
	}
	b := ErlangB(s, a)
	rho := a / float64(s)
	return b / (1 - rho*(1-b))
}

// PoissonTail is P(Poisson(a) ≥ s): by Palm's theorem, the chance that a
// base-stock (demand-aware) buffer of s is empty, whatever the lead time's
// distribution.
func PoissonTail(s int, a float64) float64 {
	if s <= 0 {
		return 1
	}
	if a <= 0 {
		return 0
	}
	return 1 - distuv.Poisson{Lambda: a}.CDF(float64(s-1))
}

// TickAveraged averages p over a controller tick's phase: a replacement
// waits L plus u ~ Uniform(0, T) for the next sync, so
// P = (1/T)∫₀ᵀ p(L+u) du. Plugging in L + T/2 is wrong for convex p.
func TickAveraged(p func(lead float64) float64, lead, tick float64) float64 {
	if tick <= 0 {
		return p(lead)
	}
	return quad.Fixed(func(u float64) float64 { return p(lead + u) }, 0, tick, 32, nil, 0) / tick
}

// MtGInfMean is the mean occupancy at t of an M_t/G/∞ system:
// ∫₀^t λ(t−u)·P(M>u) du, with λ and the survival function given.
func MtGInfMean(rate func(float64) float64, survival func(float64) float64, t float64) float64 {
	if t <= 0 {
		return 0
	}
	const pieces = 64 // Gauss–Legendre per piece keeps kinks in λ accurate
	sum := 0.0
	w := t / pieces
	for i := range pieces {
		lo := float64(i) * w
		sum += quad.Fixed(func(u float64) float64 { return rate(t-u) * survival(u) }, lo, lo+w, 16, nil, 0)
	}
	return sum
}
