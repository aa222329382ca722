// Command kindprovider is Karpenter (the release the local cluster's kwok
// provider is built from) with a cloud provider whose instances are kind
// node containers. It is built by the toolchain inside Karpenter's build
// module, not by fleetbench's: Karpenter pins its own Kubernetes libraries.
//
// The instances themselves are started, joined and removed by fleetbench
// (FLEETBENCH_KIND_NODES, a command), which owns the node image, the
// Docker flags and the pod network; this binary maps Karpenter's NodeClaims
// onto that command. Instance types come from the same file as the kwok
// provider's (INSTANCE_TYPES_FILE_PATH), and the node class is kwok's.
package main

import (
	"os"

	"sigs.k8s.io/controller-runtime/pkg/log"

	kwok "sigs.k8s.io/karpenter/kwok/cloudprovider"
	"sigs.k8s.io/karpenter/pkg/cloudprovider/overlay"
	"sigs.k8s.io/karpenter/pkg/controllers"
	"sigs.k8s.io/karpenter/pkg/controllers/state"
	"sigs.k8s.io/karpenter/pkg/operator"
)

func main() {
	ctx, op := operator.NewOperator()
	types, err := kwok.ConstructInstanceTypes(ctx)
	if err != nil {
		log.FromContext(ctx).Error(err, "failed constructing instance types")
	}
	nodes, err := nodeCommandFromEnv()
	if err != nil {
		log.FromContext(ctx).Error(err, "no node command")
		return
	}
	cluster := os.Getenv("FLEETBENCH_KIND_CLUSTER")
	if cluster == "" {
		log.FromContext(ctx).Error(nil, "FLEETBENCH_KIND_CLUSTER: the kind cluster's name is required")
		return
	}
	undecorated := &provider{cluster: cluster, types: types, nodes: nodes}
	cp := overlay.Decorate(undecorated, op.GetClient(), op.InstanceTypeStore)
	clusterState := state.NewCluster(op.Clock, op.GetClient(), cp)
	op.WithControllers(ctx, controllers.NewControllers(ctx, op.Manager, op.Clock, op.GetClient(),
		op.EventRecorder, cp, undecorated, clusterState, op.InstanceTypeStore)...).Start(ctx)
}
