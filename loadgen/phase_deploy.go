package loadgen

import (
	"context"
	"fmt"

	"github.com/fleetbench/fleetbench/deploy"
	"github.com/fleetbench/fleetbench/deploy/manifests"
)

// deployment is what the deploy phase set up for the play.
type deployment struct {
	matchmaker string      // the matchmaker's address
	reach      targets     // the addresses players in this process may dial
	workers    *workerPods // nil: the players play in this process
}

// deployStack refuses a cluster the run may not use, warms the room
// pool to the scenario's initial nodes, installs the stack and, with
// --workers, starts the worker pods at their barrier. The deployment is
// returned, also with an error, once there is something to tear down.
func deployStack(ctx context.Context, cfg Config, st *deploy.Stack) (*deployment, error) {
	sc := cfg.Scenario
	// Refuse a remote cluster for players in this process, or a cluster
	// where the workers may not run, before deploying anything on it.
	// (Workers load only the cluster the kubeconfig names, from inside.)
	if cfg.Workers > 0 {
		if err := checkWorkers(ctx, cfg.Cluster, sc); err != nil {
			return nil, err
		}
	} else if rc, err := cfg.Cluster.RESTConfig(); err != nil {
		return nil, err
	} else if err := (targets{remote: cfg.AllowRemote}).check("Kubernetes API server", rc.Host); err != nil {
		return nil, err
	}
	settings, err := manifests.SettingsFor(sc)
	if err != nil {
		return nil, err
	}
	// The model starts with nodes.initial Ready nodes; an autoscaled room
	// pool starts at nodes.min and is warmed to them.
	if cfg.Cluster.Capabilities().AutoscaledRooms && sc.Nodes.PodsPerNode > 0 {
		if err := cfg.Cluster.WarmNodes(ctx, sc.Nodes.Initial, sc.Nodes.PodsPerNode); err != nil {
			return nil, err
		}
	}
	d := &deployment{reach: targets{remote: cfg.AllowRemote, reachable: cfg.Cluster.Capabilities().Reachable}}
	if err := st.Install(ctx, settings, sc.Fleet.Policy.Spec().Initial()); err != nil {
		return d, fmt.Errorf("deploying the stack: %w", err)
	}
	if d.matchmaker, err = st.WaitServiceAddress(ctx, manifests.Namespace, "matchmaker", "http"); err != nil {
		return d, err
	}
	if cfg.Workers == 0 {
		return d, d.reach.check("matchmaker", d.matchmaker)
	}
	// Players inside the cluster dial the matchmaker's pod: no loopback
	// rule applies to them.
	d.workers, err = startWorkers(ctx, sc, d.matchmaker, cfg)
	return d, err
}
