// Package kind is the provider where a Docker daemon runs: a kind cluster
// made from the scenario, with the stack's images loaded into its nodes
// (no registry), and the same manifests as the local provider.
package kind

import (
	"fmt"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind/nodeimage"
)

// PodSubnet is the cluster's pod network (kind's default); the host routes
// it to the nodes so players in this process reach the rooms.
const PodSubnet = "10.244.0.0/16"

// perNodeDaemons are the pods every node runs besides rooms (kube-proxy);
// kubelet's maxPods must leave room for them.
const perNodeDaemons = 1

// Config is the kind cluster for a spec: a control plane, one system
// worker for the matchmaker, fleetd and Redis, and the room pool —
// nodes.initial workers (at least one) whose kubelets admit podsPerNode
// rooms each. kind adds no nodes while it runs: the pool is fixed.
// Every kind node reports the host's CPUs, so the kind overlay caps rooms
// per node with maxPods rather than with CPU requests.
//
// With the offline image (offline) the pod network is fleetbench's own
// bridge config (kindnetd is not available) and kubelet runs with cgroupfs
// on cgroup v1; unprivileged nodes also leave kubelet's OOM score alone.
func Config(s clusters.Spec, image string, offline bool, mode Mode) *v1alpha4.Cluster {
	c := &v1alpha4.Cluster{
		TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Name:     s.Name,
		Nodes: []v1alpha4.Node{
			{Role: v1alpha4.ControlPlaneRole, Image: image},
			{Role: v1alpha4.WorkerRole, Image: image, Labels: map[string]string{clusters.PoolLabel: clusters.PoolSystem}},
		},
		Networking: v1alpha4.Networking{PodSubnet: PodSubnet, DisableDefaultCNI: offline},
	}
	if offline {
		c.KubeadmConfigPatches = offlinePatches(mode)
	}
	maxPods := fmt.Sprintf(`kind: JoinConfiguration
nodeRegistration:
  kubeletExtraArgs:
  - name: max-pods
    value: "%d"
`, s.Nodes.PodsPerNode+perNodeDaemons)
	for range max(s.Nodes.Initial, 1) {
		c.Nodes = append(c.Nodes, v1alpha4.Node{
			Role:                 v1alpha4.WorkerRole,
			Image:                image,
			Labels:               map[string]string{clusters.PoolLabel: clusters.PoolRooms},
			KubeadmConfigPatches: []string{maxPods},
		})
	}
	return c
}

// offlinePatches fit kubeadm's configuration to the offline node image:
// the etcd and CoreDNS it holds, the cgroupfs driver its containerd uses
// (a cgroup v1 host has no systemd delegation in the container), and
// kubelet's cgroup v1 refusal turned off.
func offlinePatches(mode Mode) []string {
	kubelet := `kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
`
	if mode.Unprivileged {
		// Lowering its own OOM score needs CAP_SYS_RESOURCE.
		kubelet += "oomScoreAdj: 0\n"
	}
	return []string{
		fmt.Sprintf(`kind: ClusterConfiguration
etcd:
  local:
    imageTag: %q
dns:
  imageTag: %q
`, nodeimage.EtcdTag, nodeimage.CoreDNSTag),
		kubelet,
		`kind: KubeProxyConfiguration
conntrack:
  maxPerCore: 0
`,
	}
}
