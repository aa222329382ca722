package kind

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/fleetbench/fleetbench/clusters"
)

// readyTimeout bounds how long the nodes may take to turn Ready once
// their pod network is configured.
const readyTimeout = 3 * time.Minute

// finish makes a created cluster usable: the pod network (the offline
// image has no kindnetd), every node Ready, CoreDNS off the room pool,
// routes from this machine to the pods, and the stack's images.
func (c *Cluster) finish(ctx context.Context, offline bool) error {
	client, _, err := c.client()
	if err != nil {
		return err
	}
	all, err := c.provider().ListNodes(c.opts.Spec.Name)
	if err != nil {
		return fmt.Errorf("kind: listing nodes: %w", err)
	}
	routes, err := nodeRoutes(ctx, client, len(all), readyTimeout)
	if err != nil {
		return err
	}
	if offline {
		if err := configurePodNetwork(all, routes); err != nil {
			return err
		}
	}
	if err := waitReady(ctx, client, all, readyTimeout); err != nil {
		return err
	}
	// kubeadm's CoreDNS may land anywhere; a room node's pod slots are
	// the scenario's podsPerNode.
	patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"nodeSelector":{%q:%q}}}}}`, clusters.PoolLabel, clusters.PoolSystem)
	if _, err := client.AppsV1().Deployments("kube-system").Patch(ctx, "coredns", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: clusters.FieldManager}); err != nil {
		return fmt.Errorf("kind: CoreDNS to the system node: %w", err)
	}
	if err := hostRoutes(ctx, routes); err != nil {
		fmt.Fprintf(c.opts.Progress, "kind: players in this process cannot reach the pods: %v\n", err)
	}
	return c.loadImages(ctx, all)
}

// checkPool refuses a cluster that is up with another room pool than the
// spec's: kind cannot resize it, and a run on it would measure rooms that
// do not fit (or nodes the model does not have).
func (c *Cluster) checkPool(ctx context.Context) error {
	client, _, err := c.client()
	if err != nil {
		return fmt.Errorf("kind: cluster %q is up but %w", c.opts.Spec.Name, err)
	}
	// Karpenter's nodes come and go; the static ones say what the cluster was made for.
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: clusters.PoolLabel + "=" + clusters.PoolRooms + ",!karpenter.sh/nodepool"})
	if err != nil {
		return fmt.Errorf("kind: cluster %q: listing its room nodes: %w", c.opts.Spec.Name, err)
	}
	wantNodes, wantPods := c.staticRoomNodes(), int64(c.opts.Spec.Nodes.PodsPerNode+perNodeDaemons)
	var pods int64
	if len(list.Items) > 0 {
		pods = list.Items[0].Status.Allocatable.Pods().Value()
	}
	if len(list.Items) != wantNodes || pods != wantPods {
		return fmt.Errorf("kind cluster %q is up with %d room nodes of %d rooms, made for another scenario (this one wants %d of %d); take it down first (loadgen cluster down --provider kind) or run the scenario it was made for",
			c.opts.Spec.Name, len(list.Items), max(pods-perNodeDaemons, 0), wantNodes, c.opts.Spec.Nodes.PodsPerNode)
	}
	fmt.Fprintf(c.opts.Progress, "kind cluster %q is already up (%s)\n", c.opts.Spec.Name, c.opts.Kubeconfig)
	return nil
}

// waitReady waits for every node's Ready condition; a node that never
// turns Ready is named with the last lines of its kubelet's log.
func waitReady(ctx context.Context, client kubernetes.Interface, all []nodes.Node, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		notReady := map[string]bool{}
		for _, n := range all {
			notReady[n.String()] = true
		}
		if err == nil {
			for _, n := range list.Items {
				if nodeReady(&n) {
					delete(notReady, n.Name)
				}
			}
			if len(notReady) == 0 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			var errs []error
			for _, n := range all {
				if notReady[n.String()] {
					errs = append(errs, fmt.Errorf("kind: node %s never became Ready in %s; its kubelet said:\n%s", n, timeout, kubeletTail(n)))
				}
			}
			return errors.Join(errs...)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func kubeletTail(n nodes.Node) string {
	var out bytes.Buffer
	cmd := n.Command("journalctl", "-u", "kubelet", "--no-pager", "-n", "5", "-o", "cat")
	cmd.SetStdout(&out)
	if err := cmd.Run(); err != nil {
		return "(no kubelet log: " + err.Error() + ")"
	}
	return strings.TrimSpace(out.String())
}

// kubeProxyTail is the state and last lines of the node's kube-proxy
// container: a node that registers but whose kube-proxy never reports its
// rules synced (seen once in CI, on a fourth added node) says why.
func kubeProxyTail(n nodes.Node) string {
	var ps bytes.Buffer
	cmd := n.Command("crictl", "ps", "-a", "--name", "kube-proxy", "-o", "table")
	cmd.SetStdout(&ps)
	if err := cmd.Run(); err != nil {
		return "(no kube-proxy container list: " + err.Error() + ")"
	}
	var id bytes.Buffer
	cmd = n.Command("crictl", "ps", "-a", "--name", "kube-proxy", "-q", "--latest")
	cmd.SetStdout(&id)
	if err := cmd.Run(); err != nil || strings.TrimSpace(id.String()) == "" {
		return strings.TrimSpace(ps.String()) + "\n(no kube-proxy container)"
	}
	var logs bytes.Buffer
	cmd = n.Command("crictl", "logs", "--tail", "5", strings.TrimSpace(id.String()))
	cmd.SetStdout(&logs)
	cmd.SetStderr(&logs)
	if err := cmd.Run(); err != nil {
		return strings.TrimSpace(ps.String()) + "\n(no kube-proxy log: " + err.Error() + ")"
	}
	return strings.TrimSpace(ps.String()) + "\n" + strings.TrimSpace(logs.String())
}

// Down deletes the cluster and its network, and returns once no container,
// volume or network of it is left.
func (c *Cluster) Down(ctx context.Context) error {
	if err := checkDocker(ctx); err != nil {
		return err
	}
	// Karpenter first: it would start nodes for pods the deletion evicts.
	if err := c.stopKarpenter(); err != nil {
		return err
	}
	if err := c.provider().Delete(c.opts.Spec.Name, c.opts.Kubeconfig); err != nil {
		return fmt.Errorf("kind: deleting cluster: %w", err)
	}
	if err := os.Remove(c.stackArchive()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("kind: %w", err)
	}
	if out, err := exec.CommandContext(ctx, "docker", "network", "rm", c.network()).CombinedOutput(); err != nil && !strings.Contains(string(out), "not found") {
		return fmt.Errorf("kind: removing network %s: %s", c.network(), firstLine(string(out), err))
	}
	return c.checkGone(ctx)
}

// checkGone verifies that Down left nothing of the cluster behind.
func (c *Cluster) checkGone(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "docker", "ps", "-aq", "--filter", "label=io.x-k8s.kind.cluster="+c.opts.Spec.Name).Output()
	if err != nil {
		return fmt.Errorf("kind: listing containers: %w", err)
	}
	if left := strings.Fields(string(out)); len(left) > 0 {
		return fmt.Errorf("kind: containers %v of cluster %s are left", left, c.opts.Spec.Name)
	}
	if exec.CommandContext(ctx, "docker", "network", "inspect", c.network()).Run() == nil {
		return fmt.Errorf("kind: network %s is left", c.network())
	}
	return nil
}

// Status implements clusters.Provider.
func (c *Cluster) Status(ctx context.Context) (clusters.Status, error) {
	s := clusters.Status{Provider: c.Name(), Name: c.opts.Spec.Name, Kubeconfig: c.opts.Kubeconfig}
	if err := checkDocker(ctx); err != nil {
		s.Problem = err.Error()
		return s, nil
	}
	ok, err := c.exists()
	if err != nil || !ok {
		if err != nil {
			s.Problem = err.Error()
		}
		return s, nil
	}
	all, err := c.provider().ListNodes(c.opts.Spec.Name)
	if err != nil {
		s.Problem = err.Error()
		return s, nil
	}
	for _, n := range all {
		s.Components = append(s.Components, clusters.Component{Name: n.String(), Running: true})
	}
	s.Up, s.Nodes = true, len(all)
	if client, host, err := c.client(); err == nil {
		s.Server = host
		if list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err == nil {
			for _, n := range list.Items {
				if nodeReady(&n) {
					s.ReadyNodes++
				}
			}
		}
	}
	return s, nil
}

// RestartContainers kills a pod's containers through its node's
// containerd; kubelet restarts them in the same pod (a process crash, as
// a Redis restart is on a real cluster: same address, same volumes).
func (c *Cluster) RestartContainers(ctx context.Context, pod *corev1.Pod) error {
	if pod.Spec.NodeName == "" {
		return fmt.Errorf("pod %s is not on a node", pod.Name)
	}
	for _, st := range pod.Status.ContainerStatuses {
		id, ok := strings.CutPrefix(st.ContainerID, "containerd://")
		if !ok {
			return fmt.Errorf("container %s of pod %s: no containerd ID (%q)", st.Name, pod.Name, st.ContainerID)
		}
		out, err := exec.CommandContext(ctx, "docker", "exec", pod.Spec.NodeName, "ctr", "--namespace=k8s.io", "task", "kill", "--signal", "SIGKILL", id).CombinedOutput()
		if err != nil {
			return fmt.Errorf("killing container %s of pod %s on %s: %s", st.Name, pod.Name, pod.Spec.NodeName, firstLine(string(out), err))
		}
	}
	return nil
}

// client is a Kubernetes client for the cluster's kubeconfig, and the API
// server's address.
func (c *Cluster) client() (kubernetes.Interface, string, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.opts.Kubeconfig)
	if err != nil {
		return nil, "", fmt.Errorf("its kubeconfig is unusable: %w", err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	return client, cfg.Host, err
}
