package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/stack/wire"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// SetVersion rolls a workload to a new version: the pod template's
// version label and FLEETBENCH_VERSION env change, so its update strategy
// replaces pods. name is a PodTemplate (the room fleet, which fleetd
// rolls) or else a Deployment.
func (c *Stack) SetVersion(ctx context.Context, namespace, name, version string) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	var spec corev1.PodSpec
	tmpl, err := client.CoreV1().PodTemplates(namespace).Get(ctx, name, metav1.GetOptions{})
	isTemplate := err == nil
	if isTemplate {
		spec = tmpl.Template.Spec
	} else if apierrors.IsNotFound(err) {
		d, derr := client.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		if derr != nil {
			return fmt.Errorf("set version of %s/%s: %w", namespace, name, derr)
		}
		spec = d.Spec.Template.Spec
	} else {
		return fmt.Errorf("set version of %s/%s: %w", namespace, name, err)
	}
	var containers []map[string]any
	for _, ct := range spec.Containers {
		containers = append(containers, map[string]any{
			"name": ct.Name,
			"env":  []map[string]string{{"name": "FLEETBENCH_VERSION", "value": version}},
		})
	}
	template := map[string]any{
		"metadata": map[string]any{"labels": map[string]string{wire.VersionLabel: version}},
		"spec":     map[string]any{"containers": containers},
	}
	opts := metav1.PatchOptions{FieldManager: clusters.FieldManager}
	if isTemplate {
		patch, _ := json.Marshal(map[string]any{"template": template})
		_, err = client.CoreV1().PodTemplates(namespace).Patch(ctx, name, types.StrategicMergePatchType, patch, opts)
	} else {
		patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": template}})
		_, err = client.AppsV1().Deployments(namespace).Patch(ctx, name, types.StrategicMergePatchType, patch, opts)
	}
	if err != nil {
		return fmt.Errorf("set version of %s/%s: %w", namespace, name, err)
	}
	c.log.Info("rolling deploy", "workload", namespace+"/"+name, "version", version)
	return nil
}

// AnnotateTemplate sets an annotation on a PodTemplate (its metadata,
// not the pods it makes: the fleet's template hash is unchanged).
func (c *Stack) AnnotateTemplate(ctx context.Context, namespace, name, key, value string) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	if _, err := client.CoreV1().PodTemplates(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: clusters.FieldManager}); err != nil {
		return fmt.Errorf("annotate pod template %s/%s: %w", namespace, name, err)
	}
	return nil
}

// DeleteNode deletes a node as an operator or a cloud would. Karpenter's
// nodes drain first (its termination finalizer); on the local provider
// the runner kills the processes of a node once it is gone.
func (c *Stack) DeleteNode(ctx context.Context, name string) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	if err := client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		return fmt.Errorf("delete node %s: %w", name, err)
	}
	c.log.Info("node deleted", "node", name)
	return nil
}

// LoseNodes takes nodes away as a failed zone or a reclaimed spot
// instance does: nothing drains. The nodes are cordoned first, so that no
// replacement is placed on one still being lost; their pods are killed
// (SIGKILL), then the nodes are deleted.
func (c *Stack) LoseNodes(ctx context.Context, names []string) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	cordon := []byte(`{"spec":{"unschedulable":true}}`)
	for _, n := range names {
		if _, err := client.CoreV1().Nodes().Patch(ctx, n, types.MergePatchType, cordon, metav1.PatchOptions{FieldManager: clusters.FieldManager}); err != nil {
			return fmt.Errorf("cordon node %s: %w", n, err)
		}
	}
	for _, n := range names {
		pods, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + n})
		if err != nil {
			return fmt.Errorf("pods of node %s: %w", n, err)
		}
		for _, p := range pods.Items {
			if err := c.KillPod(ctx, p.Namespace, p.Name); err != nil && !apierrors.IsNotFound(err) {
				return err
			}
		}
	}
	for _, n := range names {
		if err := c.DeleteNode(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// KillPod removes a pod with no grace period: its process gets SIGKILL,
// the way a crashed container or an OOM kill ends.
func (c *Stack) KillPod(ctx context.Context, namespace, name string) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	zero := int64(0)
	if err := client.CoreV1().Pods(namespace).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		return fmt.Errorf("kill pod %s/%s: %w", namespace, name, err)
	}
	c.log.Info("pod killed", "pod", namespace+"/"+name)
	return nil
}

// HoldDown takes a pod's processes down for d, at the same pod and
// address (a Redis restart with downtime): the local provider's runner
// kills them and restarts them d later. A ContainerRestarter kills the
// containers and kubelet restarts them at once. Other providers have no
// such hook: the pod is killed and its controller makes a new one, so the
// downtime is that pod's startup; the returned note says which happened.
func (c *Stack) HoldDown(ctx context.Context, namespace, name string, d time.Duration) (string, error) {
	if r, ok := c.Provider.(clusters.ContainerRestarter); ok {
		client, err := c.Client()
		if err != nil {
			return "", err
		}
		// The annotation tells a run's watchdog that this death is the
		// timeline's; no runner reads it here.
		until := time.Now().Add(d).UTC().Format(time.RFC3339Nano)
		patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{clusters.DownUntilAnnotation: until}}})
		pod, err := client.CoreV1().Pods(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: clusters.FieldManager})
		if err != nil {
			return "", fmt.Errorf("restart pod %s/%s: %w", namespace, name, err)
		}
		if err := r.RestartContainers(ctx, pod); err != nil {
			return "", fmt.Errorf("restart pod %s/%s: %w", namespace, name, err)
		}
		c.log.Info("containers killed in place", "pod", namespace+"/"+name)
		return "containers killed, restarted in place by kubelet (downtime not held)", nil
	}
	if !c.Capabilities().HoldDown {
		return "pod killed, recreated by its controller (downtime not held)", c.KillPod(ctx, namespace, name)
	}
	client, err := c.Client()
	if err != nil {
		return "", err
	}
	until := time.Now().Add(d).UTC().Format(time.RFC3339Nano)
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{clusters.DownUntilAnnotation: until}}})
	if _, err := client.CoreV1().Pods(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: clusters.FieldManager}); err != nil {
		return "", fmt.Errorf("hold down pod %s/%s: %w", namespace, name, err)
	}
	c.log.Info("pod held down", "pod", namespace+"/"+name, "for", d)
	return fmt.Sprintf("down %s", d), nil
}
