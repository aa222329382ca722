// Package kind is the provider where a Docker daemon runs: a kind cluster
// made from the scenario, with the stack's images built and loaded, and
// the same manifests as the local provider.
package kind

import (
	"fmt"

	"sigs.k8s.io/kind/pkg/apis/config/defaults"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/fleetbench/fleetbench/clusters"
)

// NodeImage is kind v0.33.0's pinned default (Kubernetes v1.37.0; the
// local provider runs v1.37.1: kind publishes images per minor release).
const NodeImage = defaults.Image

// perNodeDaemons are the pods kind runs on every node (kindnet and
// kube-proxy); kubelet's maxPods must leave room for them.
const perNodeDaemons = 2

// Config is the kind cluster for a spec: a control plane, one system
// worker for the matchmaker, fleetd and Redis, and room workers whose
// kubelets admit podsPerNode room servers each.
//
// kind cannot add nodes while it runs, so the room pool is static at
// max(min, 1) nodes: node autoscaling is the local provider's (Karpenter).
// Every kind node reports the host's CPUs, so the kind overlay caps rooms
// per node with maxPods rather than with CPU requests.
func Config(s clusters.Spec) *v1alpha4.Cluster {
	c := &v1alpha4.Cluster{
		TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Name:     s.Name,
		Nodes: []v1alpha4.Node{
			{Role: v1alpha4.ControlPlaneRole, Image: NodeImage},
			{Role: v1alpha4.WorkerRole, Image: NodeImage, Labels: map[string]string{clusters.PoolLabel: clusters.PoolSystem}},
		},
	}
	maxPods := fmt.Sprintf(`kind: JoinConfiguration
nodeRegistration:
  kubeletExtraArgs:
  - name: max-pods
    value: "%d"
`, s.Nodes.PodsPerNode+perNodeDaemons)
	for range max(s.Nodes.Min, 1) {
		c.Nodes = append(c.Nodes, v1alpha4.Node{
			Role:                 v1alpha4.WorkerRole,
			Image:                NodeImage,
			Labels:               map[string]string{clusters.PoolLabel: clusters.PoolRooms},
			KubeadmConfigPatches: []string{maxPods},
		})
	}
	return c
}
