package loadgen

import (
	"context"
	"fmt"
	"strings"

	authzv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/manifests"
	"github.com/fleetbench/fleetbench/scenarios"
)

// WorkerResources is what each worker pod requests.
type WorkerResources struct {
	CPU, Memory resource.Quantity
	// Image runs `loadgen worker` (empty: the stack's image naming,
	// fleetbench/loadgen with the matchmaker's tag).
	Image string
}

// DefaultWorkerResources: a worker is mostly idle WebSockets, ~20 KB of
// memory a session: 512 MiB holds ~25,000.
func DefaultWorkerResources() WorkerResources {
	return WorkerResources{CPU: resource.MustParse("250m"), Memory: resource.MustParse("512Mi")}
}

const workerName = "loadgen-worker" // the Job, its ServiceAccount, Role and RoleBinding

// workerRBAC is the workers' least privilege: read the run's ConfigMap,
// write their own status and outcome ConfigMaps. (RBAC cannot limit
// create by name, so they may create any ConfigMap in the namespace.)
func workerRBAC(ns string) (*corev1.ServiceAccount, *rbacv1.Role, *rbacv1.RoleBinding) {
	meta := metav1.ObjectMeta{Name: workerName, Namespace: ns, Labels: map[string]string{workerLabel: "true"}}
	return &corev1.ServiceAccount{ObjectMeta: meta},
		&rbacv1.Role{ObjectMeta: meta, Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "create", "update"}},
		}},
		&rbacv1.RoleBinding{ObjectMeta: meta,
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: workerName},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: workerName, Namespace: ns}}}
}

// workerJob is the Indexed Job of n workers. A worker that dies is not
// replaced (backoffLimit 0, restartPolicy Never): a second one would
// replay its share from the start, and the run says instead what it lost.
func workerJob(ns string, n int32, image string, res WorkerResources, nodeSelector map[string]string) *batchv1.Job {
	indexed, zero := batchv1.IndexedCompletion, int32(0)
	podLabels := map[string]string{"app": workerName, clusters.RunLabel: clusters.RunAsProcess, workerLabel: "true"}
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: workerName, Namespace: ns, Labels: map[string]string{workerLabel: "true"}},
		Spec: batchv1.JobSpec{
			CompletionMode: &indexed, Completions: &n, Parallelism: &n, BackoffLimit: &zero,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec: corev1.PodSpec{
					ServiceAccountName: workerName, RestartPolicy: corev1.RestartPolicyNever, NodeSelector: nodeSelector,
					Containers: []corev1.Container{{
						Name: "worker", Image: image, Args: []string{"worker"},
						Env: []corev1.EnvVar{{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{
							FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}},
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceCPU: res.CPU, corev1.ResourceMemory: res.Memory}},
					}},
				},
			},
		},
	}
}

// workerImage is fleetbench/loadgen with the tag of the stack's
// matchmaker image (the images are built and loaded together).
func workerImage(matchmakerImage string) string {
	tag := "dev"
	if i := strings.LastIndexByte(matchmakerImage, ':'); i > strings.LastIndexByte(matchmakerImage, '/') {
		tag = matchmakerImage[i+1:]
	}
	return "fleetbench/loadgen:" + tag
}

// checkPermissions asks the API server whether the kubeconfig's user may
// do what a distributed run does in ns, and names the first it may not.
func checkPermissions(ctx context.Context, client kubernetes.Interface, ns string) error {
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
var ErrPermission = fmt.Errorf("missing RBAC permission for --workers")

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

// schedulable counts the worker pods the nodes matching selector can
// still take: Ready, schedulable, untainted nodes, less what their pods
// request (a worker tolerates no taint).
func schedulable(ctx context.Context, client kubernetes.Interface, selector map[string]string, res WorkerResources) (int, error) {
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

// checkWorkers is what can be known before the stack is deployed: the
// kubeconfig's permissions, and a scenario the workers can read.
func checkWorkers(ctx context.Context, c *clusters.Cluster, sc *scenarios.Scenario) error {
	for i, seg := range sc.Arrivals.Segments {
		if seg.Trace != nil {
			return fmt.Errorf("%w: arrivals.segments[%d].trace: a trace file is not sent to the workers; run it in process", ErrWorkers, i)
		}
	}
	client, err := c.Client()
	if err != nil {
		return err
	}
	return checkPermissions(ctx, client, manifests.Namespace)
}
