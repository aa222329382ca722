package okg

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// logLines is how much of a failed controller's log an error carries.
const logLines = 10

// waitAvailable waits for a Deployment's Available condition; on timeout
// the error names it with its pods' states and last log lines.
func waitAvailable(ctx context.Context, client kubernetes.Interface, d *unstructured.Unstructured, timeout time.Duration) error {
	ns, name := d.GetNamespace(), d.GetName()
	var last *appsv1.Deployment
	err := wait.PollUntilContextTimeout(ctx, time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		got, err := client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil // not yet visible to this read: keep waiting
		}
		last = got
		for _, c := range got.Status.Conditions {
			if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("deployment %s/%s not available after %s%s", ns, name, timeout, podReport(context.WithoutCancel(ctx), client, last))
}

// podReport is each of a deployment's pods' phase, waiting reason and
// last log lines (the previous container's, if it restarted).
func podReport(ctx context.Context, client kubernetes.Interface, d *appsv1.Deployment) string {
	if d == nil || d.Spec.Selector == nil {
		return ""
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return ""
	}
	pods, err := client.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil || len(pods.Items) == 0 {
		return ": no pods"
	}
	var b strings.Builder
	for _, p := range pods.Items {
		fmt.Fprintf(&b, "\npod %s: %s", p.Name, p.Status.Phase)
		previous := false
		for _, cs := range p.Status.ContainerStatuses {
			if w := cs.State.Waiting; w != nil {
				fmt.Fprintf(&b, ", %s %s", w.Reason, w.Message)
			}
			previous = previous || cs.RestartCount > 0
		}
		tail := int64(logLines)
		logs, err := client.CoreV1().Pods(p.Namespace).GetLogs(p.Name, &corev1.PodLogOptions{TailLines: &tail, Previous: previous}).DoRaw(ctx)
		if err == nil && len(logs) > 0 {
			fmt.Fprintf(&b, "; its last lines:\n%s", strings.TrimRight(string(logs), "\n"))
		}
	}
	return b.String()
}

var apiServiceResource = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// waitAPIService waits for an aggregated API to be Available (the API
// server reaches the service behind it); on timeout the error carries
// the API server's reason.
func waitAPIService(ctx context.Context, cfg *rest.Config, a *unstructured.Unstructured, timeout time.Duration) error {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	why := "not seen"
	err = wait.PollUntilContextTimeout(ctx, time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		got, err := dyn.Resource(apiServiceResource).Get(ctx, a.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, c := range conds {
			c, _ := c.(map[string]any)
			if c["type"] == "Available" {
				if c["status"] == "True" {
					return true, nil
				}
				why = fmt.Sprintf("%v: %v", c["reason"], c["message"])
			}
		}
		return false, nil
	})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.New("APIService " + a.GetName() + " not available after " + timeout.String() + ": " + why)
}
