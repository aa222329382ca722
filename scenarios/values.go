package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

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

// IntOrPercent is an absolute count (3) or a percentage ("25%").
type IntOrPercent struct {
	Value   float64
	Percent bool
	set     bool
}

// UnmarshalYAML accepts an integer or a "N%" string.
func (v *IntOrPercent) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "must be an integer or a percentage such as 25%")
	}
	parsed, err := ParseIntOrPercent(n.Value)
	if err != nil {
		return typeError(n, err.Error())
	}
	*v = parsed
	return nil
}

// ParseIntOrPercent reads "3" or "25%".
func ParseIntOrPercent(text string) (IntOrPercent, error) {
	s := strings.TrimSpace(text)
	pct := strings.HasSuffix(s, "%")
	num, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(num) || math.IsInf(num, 0) || (!pct && num != math.Trunc(num)) {
		return IntOrPercent{}, fmt.Errorf("%q is not an integer or a percentage such as 25%%", text)
	}
	return IntOrPercent{Value: num, Percent: pct, set: true}, nil
}

// MarshalYAML writes the integer or the "N%" string.
func (v IntOrPercent) MarshalYAML() (any, error) {
	if v.Percent {
		return v.String(), nil
	}
	return int(v.Value), nil
}

// String is the value as written: "3" or "25%".
func (v IntOrPercent) String() string {
	s := strconv.FormatFloat(v.Value, 'f', -1, 64)
	if v.Percent {
		s += "%"
	}
	return s
}

// Of resolves the value against a total: percentages round up for surge
// (roundUp) and down for unavailability, as Kubernetes does.
func (v IntOrPercent) Of(total int, roundUp bool) int {
	if !v.Percent {
		return int(v.Value)
	}
	x := v.Value * float64(total) / 100
	if roundUp {
		return int(math.Ceil(x))
	}
	return int(math.Floor(x))
}

// typeError reports a problem at a node as a *yaml.TypeError, which the
// decoder collects instead of aborting.
func typeError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d:%d: %s", n.Line, n.Column, msg)}}
}
