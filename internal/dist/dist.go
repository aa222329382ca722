// Package dist is a random duration in seconds, compiled from a
// scenario's distribution and shared by the model and the stack: the
// model draws a room's startup from it, and on kind the room server
// draws the same startup itself. Its text form is a command-line flag.
package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Sampler draws from a distribution in seconds. It is a plain value (no
// interface, no allocation) because the model draws millions. The zero
// Sampler always draws 0.
type Sampler struct {
	kind kind
	a, b float64
}

type kind uint8

const (
	fixed kind = iota
	exponential
	lognormal
	weibull
	uniform
)

var names = [...]string{fixed: "fixed", exponential: "exponential", lognormal: "lognormal", weibull: "weibull", uniform: "uniform"}

// Fixed always draws d.
func Fixed(d time.Duration) Sampler { return Sampler{kind: fixed, a: d.Seconds()} }

// Exponential has the given mean.
func Exponential(mean time.Duration) Sampler { return Sampler{kind: exponential, a: mean.Seconds()} }

// Lognormal has the given median and log-space standard deviation.
func Lognormal(median time.Duration, sigma float64) Sampler {
	return Sampler{kind: lognormal, a: math.Log(median.Seconds()), b: sigma}
}

// Weibull has the given shape k and scale λ.
func Weibull(shape float64, scale time.Duration) Sampler {
	return Sampler{kind: weibull, a: scale.Seconds(), b: 1 / shape}
}

// Uniform is uniform on [lo, hi].
func Uniform(lo, hi time.Duration) Sampler {
	return Sampler{kind: uniform, a: lo.Seconds(), b: hi.Seconds() - lo.Seconds()}
}

// Sample draws one value in seconds.
func (s Sampler) Sample(r *rand.Rand) float64 {
	switch s.kind {
	case exponential:
		return r.ExpFloat64() * s.a
	case lognormal:
		return math.Exp(s.a + s.b*r.NormFloat64())
	case weibull:
		return s.a * math.Pow(r.ExpFloat64(), s.b)
	case uniform:
		return s.a + s.b*r.Float64()
	}
	return s.a
}

// Mean is the distribution's expectation in seconds.
func (s Sampler) Mean() float64 {
	switch s.kind {
	case lognormal:
		return math.Exp(s.a + s.b*s.b/2)
	case weibull:
		return s.a * math.Gamma(1+s.b)
	case uniform:
		return s.a + s.b/2
	}
	return s.a
}

// Survival is P(X > x), used by the M_t/G/∞ occupancy formula.
func (s Sampler) Survival(x float64) float64 {
	if x < 0 {
		return 1
	}
	switch s.kind {
	case exponential:
		return math.Exp(-x / s.a)
	case lognormal:
		if x == 0 {
			return 1
		}
		return 0.5 * math.Erfc((math.Log(x)-s.a)/(s.b*math.Sqrt2))
	case weibull:
		return math.Exp(-math.Pow(x/s.a, 1/s.b))
	case uniform:
		switch {
		case x < s.a:
			return 1
		case x >= s.a+s.b:
			return 0
		}
		return 1 - (x-s.a)/s.b
	}
	if x < s.a {
		return 1
	}
	return 0
}

// Scaled is the distribution of k·X (k > 0): a scenario's times at its
// speedup.
func (s Sampler) Scaled(k float64) Sampler {
	switch s.kind {
	case lognormal:
		s.a += math.Log(k)
	case uniform:
		s.a, s.b = s.a*k, s.b*k
	default:
		s.a *= k
	}
	return s
}

// String is the text form: "fixed 10s", "exponential 5s", "lognormal 8s
// 0.4" (median, sigma), "weibull 1.5 10s" (shape, scale), "uniform 1s 3s".
func (s Sampler) String() string {
	d := func(sec float64) string { return time.Duration(math.Round(sec * 1e9)).String() }
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch s.kind {
	case lognormal:
		return "lognormal " + d(math.Exp(s.a)) + " " + f(s.b)
	case weibull:
		return "weibull " + f(1/s.b) + " " + d(s.a)
	case uniform:
		return "uniform " + d(s.a) + " " + d(s.a+s.b)
	}
	return names[s.kind] + " " + d(s.a)
}

// MarshalText implements encoding.TextMarshaler (the String form).
func (s Sampler) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler: the String form,
// with non-negative durations and positive sigma and shape.
func (s *Sampler) UnmarshalText(text []byte) error {
	f := strings.Fields(string(text))
	if len(f) == 0 {
		return fmt.Errorf("want a distribution such as %q, not an empty one", "fixed 10s")
	}
	want := map[string]int{"fixed": 2, "exponential": 2, "lognormal": 3, "weibull": 3, "uniform": 3}
	n, ok := want[f[0]]
	if !ok {
		return fmt.Errorf("%q: want fixed, exponential, lognormal, weibull or uniform", f[0])
	}
	if len(f) != n {
		return fmt.Errorf("%q: %s takes %d values", text, f[0], n-1)
	}
	dur := func(i int) (time.Duration, error) {
		d, err := time.ParseDuration(f[i])
		if err == nil && d < 0 {
			err = fmt.Errorf("negative")
		}
		if err != nil {
			return 0, fmt.Errorf("%q: value %d: %w", text, i, err)
		}
		return d, nil
	}
	pos := func(i int) (float64, error) {
		v, err := strconv.ParseFloat(f[i], 64)
		if err == nil && !(v > 0 && v < math.Inf(1)) {
			err = fmt.Errorf("want a positive number")
		}
		if err != nil {
			return 0, fmt.Errorf("%q: value %d: %w", text, i, err)
		}
		return v, nil
	}
	first := 1 // the duration: a weibull's scale comes after its shape
	if f[0] == "weibull" {
		first = 2
	}
	d1, err := dur(first)
	if err != nil {
		return err
	}
	switch f[0] {
	case "fixed":
		*s = Fixed(d1)
	case "exponential":
		*s = Exponential(d1)
	case "lognormal":
		sigma, err := pos(2)
		if err != nil {
			return err
		}
		if d1 == 0 {
			return fmt.Errorf("%q: a lognormal's median must be above 0", text)
		}
		*s = Lognormal(d1, sigma)
	case "weibull":
		shape, err := pos(1)
		if err != nil {
			return err
		}
		*s = Weibull(shape, d1)
	case "uniform":
		hi, err := dur(2)
		if err != nil {
			return err
		}
		if hi < d1 {
			return fmt.Errorf("%q: the upper bound is below the lower", text)
		}
		*s = Uniform(d1, hi)
	}
	return nil
}
