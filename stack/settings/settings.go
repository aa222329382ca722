// Package settings is the one typed path from a scenario to the stack:
// each component's settings as a struct, derived from the scenario in one
// place (deploy/manifests), serialized once as its command line (Args)
// and read back by the component's own flags (Register): a round trip the
// tests check field by field.
package settings

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// parseChoice reads an enum-like value: one of a fixed set of words.
func parseChoice[T ~string](text []byte, allowed ...T) (T, error) {
	v := T(text)
	if !slices.Contains(allowed, v) {
		return "", fmt.Errorf("want one of %v, not %q", allowed, string(text))
	}
	return v, nil
}

// PolicyKind is the fleet's buffer policy.
type PolicyKind string

// The policies.
const (
	MinAvailable PolicyKind = "minAvailable" // OpenKruiseGame
	Buffer       PolicyKind = "buffer"       // Agones
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *PolicyKind) UnmarshalText(b []byte) (err error) {
	*k, err = parseChoice(b, MinAvailable, Buffer)
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (k PolicyKind) MarshalText() ([]byte, error) { return []byte(k), nil }

// UpdateKind is the fleet's update strategy.
type UpdateKind string

// The update strategies.
const (
	Rolling  UpdateKind = "rolling"
	OnDelete UpdateKind = "ondelete"
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *UpdateKind) UnmarshalText(b []byte) (err error) {
	*k, err = parseChoice(b, Rolling, OnDelete)
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (k UpdateKind) MarshalText() ([]byte, error) { return []byte(k), nil }

// intOrPercent is a flag.Value for scenarios.IntOrPercent.
type intOrPercent struct{ v *scenarios.IntOrPercent }

func (f intOrPercent) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}

func (f intOrPercent) Set(s string) (err error) {
	*f.v, err = scenarios.ParseIntOrPercent(s)
	return err
}

// args builds a command line from flag names and values.
type args []string

func (a *args) add(name string, v any) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int:
		s = strconv.Itoa(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case time.Duration:
		s = x.String()
	case bool:
		s = strconv.FormatBool(x)
	case fmt.Stringer:
		s = x.String()
	default:
		panic(fmt.Sprintf("settings: no text for %T", v))
	}
	*a = append(*a, "--"+name+"="+s)
}
