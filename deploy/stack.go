package deploy

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/internal/dist"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// Install renders the stack for this provider with the scenario's
// settings and applies it: Redis first, because pods learn its address
// when they start, then the rest. It returns once the matchmaker is ready
// and the fleet holds `rooms` Ready rooms in opsState None.
//
// A stack left by an earlier run (a cluster kept with --keep) is removed
// first: its rooms, sessions and matchmaker would carry into this run,
// and its rooms and matchmaker hold the old join-token key (read from
// the Secret when each started), so players got rooms that refused them.
// The rooms wait out a draw of the scenario's pod startup only where the
// provider says they should (kind).
func (c *Stack) Install(ctx context.Context, s manifests.Settings, rooms int) error {
	if !c.Capabilities().RoomsDrawStartup {
		s.RoomServer.Startup = dist.Sampler{}
	}
	out, err := manifests.Render(c.Capabilities().Overlay, s)
	if err != nil {
		return err
	}
	objs, err := clusters.DecodeObjects(out)
	if err != nil {
		return err
	}
	if err := c.Remove(ctx); err != nil {
		return err
	}
	first, rest := splitRedis(objs)
	if err := c.DeployObjects(ctx, first); err != nil {
		return err
	}
	if err := c.waitDeployment(ctx, manifests.Namespace, "redis"); err != nil {
		return err
	}
	if err := c.DeployObjects(ctx, rest); err != nil {
		return err
	}
	if err := c.waitDeployment(ctx, manifests.Namespace, "matchmaker"); err != nil {
		return err
	}
	if _, err := c.WaitServiceAddress(ctx, manifests.Namespace, "matchmaker", "http"); err != nil {
		return err
	}
	return c.waitRooms(ctx, rooms)
}

// WaitServiceAddress is ServiceAddress once a Ready pod backs the
// Service (a pod can drop out of Ready for a while, say under load).
func (c *Stack) WaitServiceAddress(ctx context.Context, ns, service, port string) (string, error) {
	var addr string
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, stackReadyLimit, true, func(ctx context.Context) (bool, error) {
		addr, last = c.ServiceAddress(ctx, ns, service, port)
		return last == nil, nil
	})
	if err != nil {
		return "", fmt.Errorf("%w (%v)", last, err)
	}
	return addr, nil
}

// splitRedis puts the namespace, identities, secrets and Redis first.
func splitRedis(objs []*unstructured.Unstructured) (first, rest []*unstructured.Unstructured) {
	for _, o := range objs {
		switch {
		case o.GetName() == "redis", o.GetKind() == "Namespace", o.GetKind() == "Secret",
			o.GetKind() == "ServiceAccount", o.GetKind() == "Role", o.GetKind() == "RoleBinding":
			first = append(first, o)
		default:
			rest = append(rest, o)
		}
	}
	return first, rest
}

const stackReadyLimit = 3 * time.Minute

func (c *Stack) waitDeployment(ctx context.Context, ns, name string) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, stackReadyLimit, true, func(ctx context.Context) (bool, error) {
		d, err := client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && d.Status.ReadyReplicas >= 1, nil
	})
	if err != nil {
		return fmt.Errorf("deployment %s/%s not ready: %w", ns, name, err)
	}
	return nil
}

func (c *Stack) waitRooms(ctx context.Context, n int) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	var ready int
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, stackReadyLimit, true, func(ctx context.Context) (bool, error) {
		list, err := client.CoreV1().Pods(manifests.Namespace).List(ctx, metav1.ListOptions{LabelSelector: wire.RoomServerSelector})
		if err != nil {
			return false, nil
		}
		ready = 0
		for i := range list.Items {
			if p := &list.Items[i]; wire.PodOpsState(p) == "None" && wire.PodReady(p) {
				ready++
			}
		}
		return ready >= n, nil
	})
	if err != nil {
		return fmt.Errorf("%d of %d rooms Ready: %w", ready, n, err)
	}
	return nil
}

// ServiceAddress is host:port of a Ready pod behind a Service's port:
// how a client outside the cluster finds the matchmaker where ClusterIPs
// do not route (the local provider has no kube-proxy).
func (c *Stack) ServiceAddress(ctx context.Context, ns, service, port string) (string, error) {
	client, err := c.Client()
	if err != nil {
		return "", err
	}
	svc, err := client.CoreV1().Services(ns).Get(ctx, service, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	list, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(svc.Spec.Selector).String()})
	if err != nil {
		return "", err
	}
	pods := make([]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		pods[i] = &list.Items[i]
	}
	if ip, ports := clusters.ReadyEndpoint(svc, pods); ip != "" {
		if p, ok := ports[port]; ok {
			return net.JoinHostPort(ip, strconv.Itoa(int(p))), nil
		}
	}
	return "", fmt.Errorf("service %s/%s has no Ready pod for port %q", ns, service, port)
}

// Remove deletes the stack's namespace (and a distributed run's
// workers in it), if there is one, and waits until it is gone (its pods
// stopped): a cluster that was up before a run is left as it was.
func (c *Stack) Remove(ctx context.Context) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	err = client.CoreV1().Namespaces().Delete(ctx, manifests.Namespace, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("removing the earlier stack: %w", err)
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, stackReadyLimit, true, func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().Namespaces().Get(ctx, manifests.Namespace, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		return fmt.Errorf("removing the earlier stack: namespace %s still there: %w", manifests.Namespace, err)
	}
	return nil
}
