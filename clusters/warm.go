package clusters

import (
	"context"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// warmLabel marks the placeholder pods that make the autoscaler add the
// scenario's initial nodes.
const warmLabel = "fleetbench.dev/warm"

// warmLimit bounds the wait for the initial nodes (booting at speedup 1
// can take minutes).
const warmLimit = 10 * time.Minute

// WarmNodes makes the room pool hold at least `initial` Ready nodes, as
// the model starts with nodes.initial of them: when fewer are Ready, it
// asks the autoscaler for the rest the way demand would — placeholder pods
// that fit only on autoscaled nodes, podsPerNode per missing node — waits
// for the nodes, then deletes the placeholders. The nodes are then empty
// and, like the model's, consolidated after scaleDownAfter unless rooms
// land on them. It works on any cluster whose room pool autoscales.
func (c *Cluster) WarmNodes(ctx context.Context, initial, podsPerNode int) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	roomNodes := func(ctx context.Context) (int, error) {
		list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: PoolLabel + "=" + PoolRooms})
		if err != nil {
			return 0, err
		}
		return ReadyNodes(list.Items), nil
	}
	have, err := roomNodes(ctx)
	if err != nil || have >= initial || podsPerNode <= 0 {
		return err
	}
	pods := client.CoreV1().Pods(metav1.NamespaceDefault)
	n := (initial - have) * podsPerNode
	for i := range n {
		if _, err := pods.Create(ctx, placeholder("fleetbench-warm-"+strconv.Itoa(i)), metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("initial nodes: %w", err)
		}
	}
	defer func() {
		// Removed even when the wait failed or ctx ended.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		zero := int64(0)
		_ = pods.DeleteCollection(cleanup, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{LabelSelector: warmLabel})
	}()
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, warmLimit, true, func(ctx context.Context) (bool, error) {
		have, err = roomNodes(ctx)
		return err == nil && have >= initial, nil
	})
	if err != nil {
		return fmt.Errorf("initial nodes: %d of %d room nodes Ready: %w", have, initial, err)
	}
	return nil
}

// placeholder is a room-sized pod that only an autoscaled room node takes.
func placeholder(name string) *corev1.Pod {
	cpu := resource.MustParse(strconv.Itoa(RoomCPUMillis) + "m")
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{warmLabel: "true"}},
		Spec: corev1.PodSpec{
			NodeSelector: map[string]string{PoolLabel: PoolRooms},
			Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
					MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "karpenter.sh/nodepool", Operator: corev1.NodeSelectorOpExists}},
				}}},
			}},
			Containers: []corev1.Container{{Name: "placeholder", Image: "fleetbench/placeholder",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: cpu}}}},
		},
	}
}
