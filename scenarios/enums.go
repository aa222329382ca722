package scenarios

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Enum-like fields: each one of a fixed set of words, refused otherwise
// where it is read — in a scenario (with the field's path) or as a flag
// (UnmarshalText) — so no code compares free strings.

// Process is the arrival process.
type Process string

// OnTimeout is what a match does when its forming times out.
type OnTimeout string

// OnNoServer is what a match does when no Ready room is free.
type OnNoServer string

// AfterMatch is what becomes of a room after its match.
type AfterMatch string

// Scheduling is how rooms are packed onto nodes and chosen for matches.
type Scheduling string

// The words.
const (
	Poisson         Process = "poisson"
	UniformArrivals Process = "uniform"

	StartShort OnTimeout = "start"   // begin the match short-handed
	Requeue    OnTimeout = "requeue" // make its players wait again

	Wait OnNoServer = "wait" // queue (FIFO) up to the allocation timeout
	Fail OnNoServer = "fail" // fail at once

	Recycle AfterMatch = "recycle" // the room is replaced
	Reuse   AfterMatch = "reuse"   // the room takes the next match

	Packed      Scheduling = "packed"
	Distributed Scheduling = "distributed"
)

func word[T ~string](dst *T, text string, allowed ...T) error {
	if !slices.Contains(allowed, T(text)) {
		return fmt.Errorf("want one of %v, not %q", allowed, text)
	}
	*dst = T(text)
	return nil
}

func wordYAML[T ~string](dst *T, n *yaml.Node, allowed ...T) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, fmt.Sprintf("must be one of %v", allowed))
	}
	if err := word(dst, n.Value, allowed...); err != nil {
		return typeError(n, err.Error())
	}
	return nil
}

// UnmarshalYAML refuses any other word, with the field's path.
func (v *Process) UnmarshalYAML(n *yaml.Node) error { return wordYAML(v, n, Poisson, UniformArrivals) }

// UnmarshalYAML refuses any other word, with the field's path.
func (v *OnTimeout) UnmarshalYAML(n *yaml.Node) error { return wordYAML(v, n, StartShort, Requeue) }

// UnmarshalYAML refuses any other word, with the field's path.
func (v *OnNoServer) UnmarshalYAML(n *yaml.Node) error { return wordYAML(v, n, Wait, Fail) }

// UnmarshalYAML refuses any other word, with the field's path.
func (v *AfterMatch) UnmarshalYAML(n *yaml.Node) error { return wordYAML(v, n, Recycle, Reuse) }

// UnmarshalYAML refuses any other word, with the field's path.
func (v *Scheduling) UnmarshalYAML(n *yaml.Node) error { return wordYAML(v, n, Packed, Distributed) }

// UnmarshalText implements encoding.TextUnmarshaler (flags).
func (v *OnTimeout) UnmarshalText(b []byte) error { return word(v, string(b), StartShort, Requeue) }

// UnmarshalText implements encoding.TextUnmarshaler (flags).
func (v *OnNoServer) UnmarshalText(b []byte) error { return word(v, string(b), Wait, Fail) }

// UnmarshalText implements encoding.TextUnmarshaler (flags).
func (v *AfterMatch) UnmarshalText(b []byte) error { return word(v, string(b), Recycle, Reuse) }

// UnmarshalText implements encoding.TextUnmarshaler (flags).
func (v *Scheduling) UnmarshalText(b []byte) error { return word(v, string(b), Packed, Distributed) }

// MarshalText implements encoding.TextMarshaler.
func (v OnTimeout) MarshalText() ([]byte, error) { return []byte(v), nil }

// MarshalText implements encoding.TextMarshaler.
func (v OnNoServer) MarshalText() ([]byte, error) { return []byte(v), nil }

// MarshalText implements encoding.TextMarshaler.
func (v AfterMatch) MarshalText() ([]byte, error) { return []byte(v), nil }

// MarshalText implements encoding.TextMarshaler.
func (v Scheduling) MarshalText() ([]byte, error) { return []byte(v), nil }
