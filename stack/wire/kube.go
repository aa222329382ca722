package wire

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The Kubernetes conventions the stack's components share: the room
// server publishes, the matchmaker allocates, fleetd scales by them.
const (
	// OpsStateLabel holds a room server pod's opsState (policy.OpsState names).
	OpsStateLabel = "fleetbench.dev/ops-state"
	// AddressAnnotation is the host:port players dial.
	AddressAnnotation = "fleetbench.dev/address"
	// MatchAnnotation names the match a room is allocated to.
	MatchAnnotation = "fleetbench.dev/match"
	// TickEpochAnnotation (RFC 3339, on the room PodTemplate) is when the
	// run's clock started: fleetd ticks at epoch + k·syncInterval, as the
	// model ticks at k·syncInterval of scenario time.
	TickEpochAnnotation = "fleetbench.dev/tick-epoch"
	// RoomServerSelector selects room server pods.
	RoomServerSelector = "app=roomserver"
)

// Under OpenKruiseGame a room's opsState is its GameServer's
// spec.opsState (the GameServer has the pod's name), which kruise-game
// copies onto the pod as GameServerOpsStateLabel: the room server and the
// matchmaker write the GameServer, and everyone reads the pod's label.
const GameServerOpsStateLabel = "game.kruise.io/gs-opsState"

// PodOpsState is the opsState a room pod shows, under either controller
// (a pod carries one of the two labels); "" when it shows none yet.
func PodOpsState(p *corev1.Pod) string {
	if v, ok := p.Labels[GameServerOpsStateLabel]; ok {
		return v
	}
	return p.Labels[OpsStateLabel]
}

// GameServers is OpenKruiseGame's GameServer resource.
var GameServers = schema.GroupVersionResource{Group: "game.kruise.io", Version: "v1alpha1", Resource: "gameservers"}

// VersionLabel is a room pod's version ("v1", "v2", …): rolling deploys
// bump it and the matchmaker prefers the highest.
const VersionLabel = "fleetbench.dev/version"

// PodReady reports whether a pod's Ready condition is True: the one
// readiness test of the stack, the clusters and the load generator.
func PodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
