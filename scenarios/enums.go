package scenarios

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Enum-like fields: each one of a fixed set of words, refused otherwise
// where a scenario is read (with the field's path), so no code compares
// free strings. The stack's flags have their own words (stack/settings),
// which deploy/manifests maps these to.

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

// Controller is the fleet's controller in a real run.
type Controller string

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

	// Fleetd is fleetbench's own controller (minAvailable or the Agones
	// buffer, straight onto the fleet).
	Fleetd Controller = "fleetd"
	// OKG is OpenKruiseGame as deployed: a GameServerSet whose
	// minAvailable reaches it through kruise-game's external scaler, a
	// KEDA ScaledObject and the HPA.
	OKG Controller = "okg"
)

func wordYAML[T ~string](dst *T, n *yaml.Node, allowed ...T) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, fmt.Sprintf("must be one of %v", allowed))
	}
	if !slices.Contains(allowed, T(n.Value)) {
		return typeError(n, fmt.Sprintf("want one of %v, not %q", allowed, n.Value))
	}
	*dst = T(n.Value)
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

// UnmarshalYAML refuses any other word, with the field's path.
func (v *Controller) UnmarshalYAML(n *yaml.Node) error { return wordYAML(v, n, Fleetd, OKG) }
