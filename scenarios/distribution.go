package scenarios

import "github.com/fleetbench/fleetbench/internal/dist"

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

// Sampler compiles the distribution. An unset distribution samples 0.
func (d Distribution) Sampler() dist.Sampler {
	switch {
	case d.Exponential != nil:
		return dist.Exponential(d.Exponential.Mean.Duration)
	case d.Lognormal != nil:
		return dist.Lognormal(d.Lognormal.Median.Duration, d.Lognormal.Sigma)
	case d.Weibull != nil:
		return dist.Weibull(d.Weibull.Shape, d.Weibull.Scale.Duration)
	case d.Uniform != nil:
		return dist.Uniform(d.Uniform.Min.Duration, d.Uniform.Max.Duration)
	case d.Fixed != nil:
		return dist.Fixed(d.Fixed.Duration)
	}
	return dist.Sampler{}
}

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
