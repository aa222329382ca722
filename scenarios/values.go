package scenarios

import (
	"fmt"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/policy"
	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written as a Go duration string ("90s", "2h").
type Duration struct {
	time.Duration
}

// D builds a Duration.
func D(d time.Duration) Duration { return Duration{d} }

// Seconds returns the duration in (fractional) seconds.
func (d Duration) Seconds() float64 { return d.Duration.Seconds() }

// UnmarshalYAML parses a duration string. It reports a *yaml.TypeError so
// the decoder keeps going and every problem is returned at once.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "must be a duration such as 90s or 2h")
	}
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil {
		return typeError(n, fmt.Sprintf("%q is not a duration (use e.g. 90s, 20m, 2h)", n.Value))
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// IntOrPercent is policy.IntOrPercent as a scenario writes it: an
// integer (3) or a percentage string ("25%").
type IntOrPercent struct {
	policy.IntOrPercent
}

// percent is the scenario value "v%".
func percent(v float64) IntOrPercent {
	return IntOrPercent{policy.IntOrPercent{Value: v, Percent: true}}
}

// UnmarshalYAML accepts an integer or a "N%" string.
func (v *IntOrPercent) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "must be an integer or a percentage such as 25%")
	}
	parsed, err := policy.ParseIntOrPercent(n.Value)
	if err != nil {
		return typeError(n, err.Error())
	}
	v.IntOrPercent = parsed
	return nil
}

// MarshalYAML writes the integer or the "N%" string.
func (v IntOrPercent) MarshalYAML() (any, error) {
	if v.Percent {
		return v.String(), nil
	}
	return int(v.Value), nil
}

// typeError reports a problem at a node as a *yaml.TypeError, which the
// decoder collects instead of aborting.
func typeError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d:%d: %s", n.Line, n.Column, msg)}}
}
