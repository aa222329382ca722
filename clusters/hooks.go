package clusters

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// SetVersion rolls a workload to a new version: the pod template's
// version label and FLEETBENCH_VERSION env change, so its update strategy
// replaces pods. name is a PodTemplate (the room fleet, which fleetd
// rolls) or else a Deployment.
func (c *Cluster) SetVersion(ctx context.Context, namespace, name, version string) error {
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
		"metadata": map[string]any{"labels": map[string]string{VersionLabel: version}},
		"spec":     map[string]any{"containers": containers},
	}
	opts := metav1.PatchOptions{FieldManager: FieldManager}
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
func (c *Cluster) AnnotateTemplate(ctx context.Context, namespace, name, key, value string) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	if _, err := client.CoreV1().PodTemplates(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return fmt.Errorf("annotate pod template %s/%s: %w", namespace, name, err)
	}
	return nil
}

// DeleteNode deletes a node as an operator or a cloud would. Karpenter's
// nodes drain first (its termination finalizer); on the local provider
// the runner kills the processes of a node once it is gone.
func (c *Cluster) DeleteNode(ctx context.Context, name string) error {
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
func (c *Cluster) LoseNodes(ctx context.Context, names []string) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	cordon := []byte(`{"spec":{"unschedulable":true}}`)
	for _, n := range names {
		if _, err := client.CoreV1().Nodes().Patch(ctx, n, types.MergePatchType, cordon, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
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
func (c *Cluster) KillPod(ctx context.Context, namespace, name string) error {
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

// ContainerRestarter is implemented by providers that can kill a pod's
// containers in place (kind, through its node's containerd): kubelet
// restarts them in the same pod, at the same address, with its volumes.
type ContainerRestarter interface {
	RestartContainers(ctx context.Context, pod *corev1.Pod) error
}

// HoldDown takes a pod's processes down for d, at the same pod and
// address (a Redis restart with downtime): the local provider's runner
// kills them and restarts them d later. A ContainerRestarter kills the
// containers and kubelet restarts them at once. Other providers have no
// such hook: the pod is killed and its controller makes a new one, so the
// downtime is that pod's startup; the returned note says which happened.
func (c *Cluster) HoldDown(ctx context.Context, namespace, name string, d time.Duration) (string, error) {
	if r, ok := c.Provider.(ContainerRestarter); ok {
		client, err := c.Client()
		if err != nil {
			return "", err
		}
		// The annotation tells a run's watchdog that this death is the
		// timeline's; no runner reads it here.
		until := time.Now().Add(d).UTC().Format(time.RFC3339Nano)
		patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{DownUntilAnnotation: until}}})
		pod, err := client.CoreV1().Pods(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager})
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
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{DownUntilAnnotation: until}}})
	if _, err := client.CoreV1().Pods(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return "", fmt.Errorf("hold down pod %s/%s: %w", namespace, name, err)
	}
	c.log.Info("pod held down", "pod", namespace+"/"+name, "for", d)
	return fmt.Sprintf("down %s", d), nil
}

// Handlers receive watch events; nil handlers are skipped. old is nil on
// add, new is nil on delete.
type Handlers struct {
	Pod   func(old, new *corev1.Pod)
	Node  func(old, new *corev1.Node)
	Event func(*corev1.Event)
}

// Watch runs informers for pods, nodes and events until ctx ends. It
// returns once the caches have synced.
func (c *Cluster) Watch(ctx context.Context, h Handlers) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	f := informers.NewSharedInformerFactory(client, 10*time.Minute)
	var synced []cache.InformerSynced
	if h.Pod != nil {
		inf := f.Core().V1().Pods().Informer()
		if _, err := inf.AddEventHandler(typed(h.Pod)); err != nil {
			return err
		}
		synced = append(synced, inf.HasSynced)
	}
	if h.Node != nil {
		inf := f.Core().V1().Nodes().Informer()
		if _, err := inf.AddEventHandler(typed(h.Node)); err != nil {
			return err
		}
		synced = append(synced, inf.HasSynced)
	}
	if h.Event != nil {
		inf := f.Core().V1().Events().Informer()
		if _, err := inf.AddEventHandler(typed(func(_, e *corev1.Event) {
			if e != nil {
				h.Event(e)
			}
		})); err != nil {
			return err
		}
		synced = append(synced, inf.HasSynced)
	}
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("watch: caches did not sync: %w", ctx.Err())
	}
	go func() { <-ctx.Done(); f.Shutdown() }()
	return nil
}

// typed adapts a typed (old, new) callback to client-go's handler.
func typed[T any](fn func(old, new *T)) cache.ResourceEventHandlerFuncs {
	as := func(obj any) *T {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		t, _ := obj.(*T)
		return t
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { fn(nil, as(obj)) },
		UpdateFunc: func(old, new any) { fn(as(old), as(new)) },
		DeleteFunc: func(obj any) { fn(as(obj), nil) },
	}
}
