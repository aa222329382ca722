package wire

// The Kubernetes conventions the stack's components share: the room
// server publishes, the matchmaker allocates, fleetd scales by them.
const (
	// OpsStateLabel holds a room server pod's opsState (policy.OpsState names).
	OpsStateLabel = "fleetbench.dev/ops-state"
	// AddressAnnotation is the host:port players dial.
	AddressAnnotation = "fleetbench.dev/address"
	// MatchAnnotation names the match a room is allocated to.
	MatchAnnotation = "fleetbench.dev/match"
	// RoomServerSelector selects room server pods.
	RoomServerSelector = "app=roomserver"
)

// VersionLabel is a room pod's version ("v1", "v2", …): rolling deploys
// bump it and the matchmaker prefers the highest.
const VersionLabel = "fleetbench.dev/version"
