package local

import (
	"context"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/clusters"
)

// nodes creates the static nodes: one for the stack's system pods and the
// room pool's minimum, which Karpenter neither adds nor consolidates.
func (b *bringUp) nodes(ctx context.Context) error {
	client, err := kubernetes.NewForConfig(b.cfg)
	if err != nil {
		return err
	}
	s := b.c.opts.Spec
	want := []*corev1.Node{staticNode("fleetbench-system", clusters.PoolSystem, "fleetbench-system", "16", "16", "1000")}
	for i := range s.Nodes.Min {
		want = append(want, staticNode("fleetbench-rooms-"+strconv.Itoa(i), clusters.PoolRooms, clusters.InstanceType, roomCapacity(s), roomAllocatable(s), strconv.Itoa(clusters.MaxPodsPerNode)))
	}
	for _, n := range want {
		if _, err := client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating node %s: %w", n.Name, err)
		}
	}
	return waitNodesReady(ctx, client, len(want))
}

// staticNode looks like a Karpenter node of the same pool: same labels
// and the same allocatable CPU.
// The system node admits many pods: it stands for the stack's node group
// and for tests' faked pods.
func staticNode(name, pool, instanceType, capacity, allocatable, pods string) *corev1.Node {
	res := func(cpu string) corev1.ResourceList {
		return corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse(cpu),
			corev1.ResourceMemory: resource.MustParse("64Gi"),
			corev1.ResourcePods:   resource.MustParse(pods),
		}
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			Labels: map[string]string{
				clusters.PoolLabel:                 pool,
				"kubernetes.io/hostname":           name,
				"node.kubernetes.io/instance-type": instanceType,
				"topology.kubernetes.io/zone":      clusters.Zone,
				"type":                             "kwok",
			},
		},
		Spec:   corev1.NodeSpec{ProviderID: "static://" + name},
		Status: corev1.NodeStatus{Capacity: res(capacity), Allocatable: res(allocatable)},
	}
}

func waitNodesReady(ctx context.Context, client kubernetes.Interface, n int) error {
	var ready int
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, readyLimit, true, func(ctx context.Context) (bool, error) {
		list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		ready = clusters.ReadyNodes(list.Items)
		return ready >= n, nil
	})
	if err != nil {
		return fmt.Errorf("kwok: %d of %d static nodes Ready: %w", ready, n, err)
	}
	return nil
}

// countNodes reports the cluster's nodes and how many are Ready.
func countNodes(ctx context.Context, kubeconfig string) (total, ready int, err error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return 0, 0, err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return 0, 0, err
	}
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, 0, fmt.Errorf("listing nodes: %w", err)
	}
	return len(list.Items), clusters.ReadyNodes(list.Items), nil
}
