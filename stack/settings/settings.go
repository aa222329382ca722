// Package settings is the one typed path from a scenario to the stack:
// each component's settings as a struct, derived from the scenario in one
// place (deploy/manifests), serialized once as its command line (Args)
// and read back by the component's own flags (Register): a round trip the
// tests check field by field. The fields are the stack's own words, or
// policy's types where the model shares the rule, never the scenario
// format's: the components do not import it.
package settings

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
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

// OnTimeout is what the matchmaker does with a match still short when
// --match-timeout passes.
type OnTimeout string

// The timeout actions.
const (
	StartShort OnTimeout = "start"   // begin the match short-handed
	Requeue    OnTimeout = "requeue" // make its players wait again
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *OnTimeout) UnmarshalText(b []byte) (err error) {
	*v, err = parseChoice(b, StartShort, Requeue)
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (v OnTimeout) MarshalText() ([]byte, error) { return []byte(v), nil }

// OnNoServer is what the matchmaker does with a match when no Ready room
// is free.
type OnNoServer string

// The no-server actions.
const (
	Wait OnNoServer = "wait" // queue (FIFO) up to --alloc-timeout
	Fail OnNoServer = "fail" // fail at once (503)
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *OnNoServer) UnmarshalText(b []byte) (err error) {
	*v, err = parseChoice(b, Wait, Fail)
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (v OnNoServer) MarshalText() ([]byte, error) { return []byte(v), nil }

// AfterMatch is what becomes of a room server after its match.
type AfterMatch string

// The fates of a room.
const (
	Reuse   AfterMatch = "reuse"   // back to None: the room takes the next match
	Recycle AfterMatch = "recycle" // WaitToBeDeleted: the room is replaced
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *AfterMatch) UnmarshalText(b []byte) (err error) {
	*v, err = parseChoice(b, Reuse, Recycle)
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (v AfterMatch) MarshalText() ([]byte, error) { return []byte(v), nil }

// Controller is what runs the room fleet: where opsState lives.
type Controller string

// The controllers.
const (
	// ByFleetd: opsState is a label on the room's pod, written there.
	ByFleetd Controller = "fleetd"
	// OKG: OpenKruiseGame; opsState is the GameServer's spec.opsState,
	// which kruise-game copies to the pod's label.
	OKG Controller = "okg"
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *Controller) UnmarshalText(b []byte) (err error) {
	*v, err = parseChoice(b, ByFleetd, OKG)
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (v Controller) MarshalText() ([]byte, error) { return []byte(v), nil }

// OpsStateLabel is the pod label that shows a room's opsState.
func (v Controller) OpsStateLabel() string {
	if v == OKG {
		return wire.GameServerOpsStateLabel
	}
	return wire.OpsStateLabel
}

// addController writes --controller, unless it is unset (the flag's
// default, fleetd: settings written before it had one mean fleetd).
func (a *args) addController(c Controller) {
	if c != "" {
		a.add("controller", string(c))
	}
}

// placementWords are --placement's words, indexed by the placement.
var placementWords = [...]string{policy.Packed: "packed", policy.Distributed: "distributed"}

// placement is a flag.Value for policy.Placement, written as a word.
type placement struct{ v *policy.Placement }

func (f placement) String() string {
	if f.v == nil || int(*f.v) >= len(placementWords) {
		return ""
	}
	return placementWords[*f.v]
}

func (f placement) Set(s string) error {
	w, err := parseChoice([]byte(s), placementWords[:]...)
	if err != nil {
		return err
	}
	*f.v = policy.Placement(slices.Index(placementWords[:], w))
	return nil
}

// intOrPercent is a flag.Value for policy.IntOrPercent.
type intOrPercent struct{ v *policy.IntOrPercent }

func (f intOrPercent) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}

func (f intOrPercent) Set(s string) (err error) {
	*f.v, err = policy.ParseIntOrPercent(s)
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
