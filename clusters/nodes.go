package clusters

import corev1 "k8s.io/api/core/v1"

// ReadyNodes counts the nodes whose Ready condition is True.
func ReadyNodes(nodes []corev1.Node) int {
	n := 0
	for i := range nodes {
		if NodeReady(&nodes[i]) {
			n++
		}
	}
	return n
}

// NodeReady: the node's Ready condition is True.
func NodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
