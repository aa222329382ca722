package jobs

import (
	"context"
	"errors"
	"fmt"

	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/clusters"
)

// CheckPermissions asks the API server whether the kubeconfig's user may
// do what a distributed run does in ns, and names the first it may not.
func CheckPermissions(ctx context.Context, client kubernetes.Interface, ns string) error {
	need := []authzv1.ResourceAttributes{
		{Group: "batch", Resource: "jobs", Verb: "create"},
		{Group: "batch", Resource: "jobs", Verb: "delete"},
		{Resource: "configmaps", Verb: "create"},
		{Resource: "configmaps", Verb: "list"},
		{Resource: "configmaps", Verb: "deletecollection"},
		{Resource: "serviceaccounts", Verb: "create"},
		{Group: "rbac.authorization.k8s.io", Resource: "roles", Verb: "create"},
		{Group: "rbac.authorization.k8s.io", Resource: "rolebindings", Verb: "create"},
		{Resource: "pods", Verb: "list"},
		{Resource: "pods", Verb: "deletecollection"},
		{Resource: "nodes", Verb: "list"},
	}
	for _, ra := range need {
		if ra.Resource != "nodes" {
			ra.Namespace = ns
		}
		review := &authzv1.SelfSubjectAccessReview{Spec: authzv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &ra}}
		got, err := client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("asking the API server what this kubeconfig may do: %w", err)
		}
		if !got.Status.Allowed {
			return fmt.Errorf("%w: this kubeconfig may not %s %s", ErrPermission, ra.Verb, describe(ra))
		}
	}
	return nil
}

// ErrPermission: the cluster's RBAC refuses what a distributed run needs.
var ErrPermission = errors.New("missing RBAC permission to run work as a Job")

func describe(ra authzv1.ResourceAttributes) string {
	what := ra.Resource
	if ra.Group != "" {
		what += "." + ra.Group
	}
	if ra.Namespace != "" {
		what += " in namespace " + ra.Namespace
	}
	return what
}

// Schedulable counts the worker pods the nodes matching selector can
// still take: Ready, schedulable, untainted nodes, less what their pods
// request (a worker tolerates no taint).
func Schedulable(ctx context.Context, client kubernetes.Interface, selector map[string]string, res Resources) (int, error) {
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(selector).String()})
	if err != nil {
		return 0, err
	}
	pods, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, err
	}
	used := map[string]corev1.ResourceList{}
	count := map[string]int64{}
	for _, p := range pods.Items {
		if p.Spec.NodeName == "" || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		u := used[p.Spec.NodeName]
		if u == nil {
			u = corev1.ResourceList{}
			used[p.Spec.NodeName] = u
		}
		for _, c := range p.Spec.Containers {
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				q := u[r]
				q.Add(c.Resources.Requests[r])
				u[r] = q
			}
		}
		count[p.Spec.NodeName]++
	}
	total := 0
	for _, n := range nodes.Items {
		if n.Spec.Unschedulable || !clusters.NodeReady(&n) || hasNoSchedule(n.Spec.Taints) {
			continue
		}
		fit := func(r corev1.ResourceName, per resource.Quantity) int64 {
			free := n.Status.Allocatable[r]
			free.Sub(used[n.Name][r])
			if per.IsZero() {
				return 1 << 30
			}
			return max(0, free.MilliValue()/per.MilliValue())
		}
		podsFree := n.Status.Allocatable.Pods().Value() - count[n.Name]
		total += int(max(0, min(fit(corev1.ResourceCPU, res.CPU), fit(corev1.ResourceMemory, res.Memory), podsFree)))
	}
	return total, nil
}

func hasNoSchedule(taints []corev1.Taint) bool {
	for _, t := range taints {
		if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
			return true
		}
	}
	return false
}
