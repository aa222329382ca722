// Package workjob runs fleetbench's work as an Indexed Job on any
// cluster a kubeconfig reaches, with the API server as the only path
// between the CLI and its worker pods: the CLI hands work out in a
// ConfigMap and the workers send their results back in ConfigMaps.
// loadgen's players and sim's sweeps are its two users.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/clusters"
)

// Label marks every object of a work Job (value: the Job's name), so
// one call lists or removes them all.
const Label = "fleetbench.dev/work"

// KindLabel tells a Job's ConfigMaps apart for listing (input, status,
// output).
const KindLabel = "fleetbench.dev/work-kind"

// Resources is what each worker pod requests.
type Resources struct {
	CPU, Memory resource.Quantity
	// Image runs the worker (empty: fleetbench/BINARY with the stack's tag).
	Image string
}

// Spec is one Indexed Job of workers.
type Spec struct {
	Namespace, Name string
	Workers         int32
	Image           string
	Args            []string
	Resources       Resources
	NodeSelector    map[string]string
}

// Objects are the Job and the least privilege its pods need: read the
// Job's ConfigMaps, write their own. (RBAC cannot limit create by name,
// so they may create any ConfigMap in the namespace.) A worker that dies
// is not replaced (backoffLimitPerIndex 0, restartPolicy Never): the
// caller says what it lost instead of doing the work twice. Per index, so
// one worker's failure leaves the others running (a Job-wide
// backoffLimit would fail the Job and stop them all).
func (s Spec) Objects() (*corev1.ServiceAccount, *rbacv1.Role, *rbacv1.RoleBinding, *batchv1.Job) {
	meta := metav1.ObjectMeta{Name: s.Name, Namespace: s.Namespace, Labels: map[string]string{Label: s.Name}}
	sa := &corev1.ServiceAccount{ObjectMeta: meta}
	role := &rbacv1.Role{ObjectMeta: meta, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch", "create", "update"}},
	}}
	binding := &rbacv1.RoleBinding{ObjectMeta: meta,
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: s.Name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: s.Name, Namespace: s.Namespace}}}
	indexed, zero, n := batchv1.IndexedCompletion, int32(0), s.Workers
	job := &batchv1.Job{
		ObjectMeta: meta,
		Spec: batchv1.JobSpec{
			CompletionMode: &indexed, Completions: &n, Parallelism: &n, BackoffLimitPerIndex: &zero,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": s.Name, clusters.RunLabel: clusters.RunAsProcess, Label: s.Name}},
				Spec: corev1.PodSpec{
					ServiceAccountName: s.Name, RestartPolicy: corev1.RestartPolicyNever, NodeSelector: s.NodeSelector,
					Containers: []corev1.Container{{
						Name: "worker", Image: s.Image, Args: s.Args,
						Env: []corev1.EnvVar{{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{
							FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}},
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceCPU: s.Resources.CPU, corev1.ResourceMemory: s.Resources.Memory}},
					}},
				},
			},
		},
	}
	return sa, role, binding, job
}

// Image is fleetbench/BINARY with the tag of like (an image of the
// stack: they are built and loaded together), or "dev".
func Image(binary, like string) string {
	tag := "dev"
	if i := strings.LastIndexByte(like, ':'); i > strings.LastIndexByte(like, '/') {
		tag = like[i+1:]
	}
	return "fleetbench/" + binary + ":" + tag
}

// Create makes the Job's objects, the input ConfigMap first so the
// workers find it.
func Create(ctx context.Context, client kubernetes.Interface, s Spec, input map[string]string) error {
	sa, role, binding, job := s.Objects()
	core, rbac := client.CoreV1(), client.RbacV1()
	steps := []func() error{
		func() error {
			return PutConfigMap(ctx, client, s.Namespace, s.Name, InputName(s.Name), "input", input, nil)
		},
		func() error {
			_, err := core.ServiceAccounts(s.Namespace).Create(ctx, sa, metav1.CreateOptions{})
			return err
		},
		func() error { _, err := rbac.Roles(s.Namespace).Create(ctx, role, metav1.CreateOptions{}); return err },
		func() error {
			_, err := rbac.RoleBindings(s.Namespace).Create(ctx, binding, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := client.BatchV1().Jobs(s.Namespace).Create(ctx, job, metav1.CreateOptions{})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("creating the %s Job: %w", s.Name, err)
		}
	}
	return nil
}

// InputName is the ConfigMap the workers of Job name read.
func InputName(name string) string { return name + "-input" }

// PutConfigMap creates or replaces one of Job job's ConfigMaps.
func PutConfigMap(ctx context.Context, client kubernetes.Interface, ns, job, name, kind string, data map[string]string, binary map[string][]byte) error {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{Label: job, KindLabel: kind}},
		Data: data, BinaryData: binary}
	cms := client.CoreV1().ConfigMaps(ns)
	_, err := cms.Update(ctx, cm, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		_, err = cms.Create(ctx, cm, metav1.CreateOptions{})
	}
	if err != nil {
		return fmt.Errorf("writing ConfigMap %s/%s: %w", ns, name, err)
	}
	return nil
}

// List is Job job's ConfigMaps of one kind.
func List(ctx context.Context, client kubernetes.Interface, ns, job, kind string) ([]corev1.ConfigMap, error) {
	list, err := client.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: Label + "=" + job + "," + KindLabel + "=" + kind})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// Pods are the Job's worker pods.
func Pods(ctx context.Context, client kubernetes.Interface, ns, job string) ([]corev1.Pod, error) {
	list, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: Label + "=" + job})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// Stop deletes the Job: its pods get SIGTERM.
func Stop(ctx context.Context, client kubernetes.Interface, ns, job string) error {
	bg := metav1.DeletePropagationBackground
	err := client.BatchV1().Jobs(ns).Delete(ctx, job, metav1.DeleteOptions{PropagationPolicy: &bg})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// Remove deletes every object of Job job and waits until its pods are
// gone; with none there it does nothing.
func Remove(ctx context.Context, client kubernetes.Interface, ns, job string) error {
	bg := metav1.DeletePropagationBackground
	del := metav1.DeleteOptions{PropagationPolicy: &bg}
	ignore := func(err error) error {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	sel := metav1.ListOptions{LabelSelector: Label + "=" + job}
	err := errors.Join(
		ignore(Stop(ctx, client, ns, job)),
		ignore(client.CoreV1().Pods(ns).DeleteCollection(ctx, del, sel)),
		ignore(client.CoreV1().ConfigMaps(ns).DeleteCollection(ctx, del, sel)),
		ignore(client.RbacV1().RoleBindings(ns).Delete(ctx, job, del)),
		ignore(client.RbacV1().Roles(ns).Delete(ctx, job, del)),
		ignore(client.CoreV1().ServiceAccounts(ns).Delete(ctx, job, del)),
	)
	if err != nil {
		return fmt.Errorf("removing the %s Job: %w", job, err)
	}
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := Pods(ctx, client, ns, job)
		return err == nil && len(pods) == 0, nil
	})
}

// PodFailure is a worker pod that failed or that the scheduler refused,
// by name and reason (nil: none).
func PodFailure(pods []corev1.Pod) error {
	for _, p := range pods {
		if p.Status.Phase == corev1.PodFailed {
			return fmt.Errorf("worker pod %s failed: %s", p.Name, podReason(p))
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable {
				return fmt.Errorf("worker pod %s cannot be scheduled: %s", p.Name, c.Message)
			}
		}
	}
	return nil
}

func podReason(p corev1.Pod) string {
	for _, cs := range p.Status.ContainerStatuses {
		if term := cs.State.Terminated; term != nil {
			return strings.TrimSpace(fmt.Sprintf("exit code %d %s %s", term.ExitCode, term.Reason, term.Message))
		}
	}
	if p.Status.Reason != "" {
		return p.Status.Reason + " " + p.Status.Message
	}
	return "phase " + string(p.Status.Phase)
}
