// Package deploy puts the benchmark's stack (Redis, the matchmaker,
// fleetd and the room servers) on a cluster from package clusters, finds
// its services, and applies the timeline's faults to it: a new version,
// lost nodes, killed or held-down pods.
package deploy

import (
	"log/slog"

	"github.com/fleetbench/fleetbench/clusters"
)

// Stack is the stack on one cluster; the cluster's own methods (clients,
// apply, watch) come with it.
type Stack struct {
	*clusters.Cluster
	log *slog.Logger
}

// On is the stack on c.
func On(c *clusters.Cluster) *Stack { return &Stack{Cluster: c, log: c.Logger()} }
