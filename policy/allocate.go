package policy

// Placement is how allocation and scheduling spread servers over nodes.
type Placement uint8

const (
	// Packed fills busy nodes first so that others empty out and can be
	// removed (Agones' default for cloud fleets).
	Packed Placement = iota
	// Distributed spreads load over the least busy nodes.
	Distributed
)

// Room is a Ready server in opsState None that a match could get.
type Room struct {
	Version  int // higher is newer
	NodeLoad int // allocated servers on the room's node
	Index    int
}

// BetterRoom reports whether a match should get a before b: the newest
// version with a Ready server first, then by node load (Packed: busiest
// node; Distributed: idlest), then the lowest index for stability.
func BetterRoom(a, b Room, s Placement) bool {
	if a.Version != b.Version {
		return a.Version > b.Version
	}
	if a.NodeLoad != b.NodeLoad {
		if s == Packed {
			return a.NodeLoad > b.NodeLoad
		}
		return a.NodeLoad < b.NodeLoad
	}
	return a.Index < b.Index
}

// BetterNode reports whether a new pod should be scheduled on a node with
// loadA pods rather than one with loadB (both with room for it).
func BetterNode(loadA, loadB int, s Placement) bool {
	if s == Packed {
		return loadA > loadB
	}
	return loadA < loadB
}
