package scenarios

import (
	"math"
	"math/rand/v2"
)

// Distribution is a random duration; exactly one form is set.
type Distribution struct {
	Fixed       *Duration    `yaml:"fixed"`
	Exponential *Exponential `yaml:"exponential"`
	Lognormal   *Lognormal   `yaml:"lognormal"`
	Weibull     *Weibull     `yaml:"weibull"`
	Uniform     *Uniform     `yaml:"uniform"`
}

// Exponential has the given mean.
type Exponential struct {
	Mean Duration `yaml:"mean"`
}

// Lognormal has the given median and log-space standard deviation.
type Lognormal struct {
	Median Duration `yaml:"median"`
	Sigma  float64  `yaml:"sigma"`
}

// Weibull has the given shape k and scale λ.
type Weibull struct {
	Shape float64  `yaml:"shape"`
	Scale Duration `yaml:"scale"`
}

// Uniform is uniform on [Min, Max].
type Uniform struct {
	Min Duration `yaml:"min"`
	Max Duration `yaml:"max"`
}

// IsSet reports whether any form is given.
func (d Distribution) IsSet() bool { return d.forms() > 0 }

func (d Distribution) forms() int {
	n := 0
	for _, set := range []bool{d.Fixed != nil, d.Exponential != nil, d.Lognormal != nil, d.Weibull != nil, d.Uniform != nil} {
		if set {
			n++
		}
	}
	return n
}

// Sampler draws from a validated Distribution in seconds. It is a plain
// value (no interface, no allocation) because the model draws millions.
type Sampler struct {
	kind sampleKind
	a, b float64
}

type sampleKind uint8

const (
	sampleFixed sampleKind = iota
	sampleExponential
	sampleLognormal
	sampleWeibull
	sampleUniform
)

// Sampler compiles the distribution. An unset distribution samples 0.
func (d Distribution) Sampler() Sampler {
	switch {
	case d.Exponential != nil:
		return Sampler{kind: sampleExponential, a: d.Exponential.Mean.Seconds()}
	case d.Lognormal != nil:
		return Sampler{kind: sampleLognormal, a: math.Log(d.Lognormal.Median.Seconds()), b: d.Lognormal.Sigma}
	case d.Weibull != nil:
		return Sampler{kind: sampleWeibull, a: d.Weibull.Scale.Seconds(), b: 1 / d.Weibull.Shape}
	case d.Uniform != nil:
		return Sampler{kind: sampleUniform, a: d.Uniform.Min.Seconds(), b: d.Uniform.Max.Seconds() - d.Uniform.Min.Seconds()}
	case d.Fixed != nil:
		return Sampler{kind: sampleFixed, a: d.Fixed.Seconds()}
	}
	return Sampler{}
}

// Sample draws one value in seconds.
func (s Sampler) Sample(r *rand.Rand) float64 {
	switch s.kind {
	case sampleExponential:
		return r.ExpFloat64() * s.a
	case sampleLognormal:
		return math.Exp(s.a + s.b*r.NormFloat64())
	case sampleWeibull:
		return s.a * math.Pow(r.ExpFloat64(), s.b)
	case sampleUniform:
		return s.a + s.b*r.Float64()
	}
	return s.a
}

// Mean is the distribution's expectation in seconds.
func (s Sampler) Mean() float64 {
	switch s.kind {
	case sampleLognormal:
		return math.Exp(s.a + s.b*s.b/2)
	case sampleWeibull:
		return s.a * math.Gamma(1+s.b)
	case sampleUniform:
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
	case sampleExponential:
		return math.Exp(-x / s.a)
	case sampleLognormal:
		if x == 0 {
			return 1
		}
		return 0.5 * math.Erfc((math.Log(x)-s.a)/(s.b*math.Sqrt2))
	case sampleWeibull:
		return math.Exp(-math.Pow(x/s.a, 1/s.b))
	case sampleUniform:
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

// Exponential reports whether the distribution is exponential (the
// Erlang-C formulas are exact only then).
func (s Sampler) Exponential() bool { return s.kind == sampleExponential }

// UnmarshalYAML replaces any default form, so that a file's `{fixed: 5s}`
// does not sit beside a default lognormal. The func-style unmarshaler
// keeps the decoder's strict known-fields mode.
func (d *Distribution) UnmarshalYAML(unmarshal func(any) error) error {
	type plain Distribution
	var p plain
	err := unmarshal(&p)
	*d = Distribution(p)
	return err
}
