package kind

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/fleetbench/fleetbench/clusters"
)

// joinConfig is the kubeadm JoinConfiguration kind writes for a worker,
// with the provider ID Karpenter finds the node by and the taint
// Karpenter lifts once it has registered the node; the node registers
// labelled with its NodeClaim.
func joinConfig(cluster, token, nodeIP, providerID, claim string, maxPods int) string {
	labels := ""
	if claim != "" {
		labels = fmt.Sprintf("\n  - name: node-labels\n    value: %q", clusters.NodeClaimLabel+"="+claim)
	}
	return fmt.Sprintf(`apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
nodeRegistration:
  criSocket: unix:///run/containerd/containerd.sock
  kubeletExtraArgs:
  - name: node-ip
    value: %q
  - name: provider-id
    value: %q
  - name: max-pods
    value: "%d"%s
  taints:
  - key: karpenter.sh/unregistered
    effect: NoExecute
discovery:
  bootstrapToken:
    apiServerEndpoint: %q
    token: %q
    unsafeSkipCAVerification: true
skipPhases:
- preflight
`, nodeIP, providerID, maxPods, labels, cluster+"-control-plane:6443", token)
}

// join joins the node with a fresh bootstrap token.
func (c *Cluster) join(ctx context.Context, client kubernetes.Interface, n nodes.Node, r NodeRequest) error {
	token, err := joinToken(ctx, client, time.Hour)
	if err != nil {
		return err
	}
	ip, err := exec.CommandContext(ctx, "docker", "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", r.Name).Output()
	if err != nil {
		return fmt.Errorf("kind: node %s's address: %w", r.Name, err)
	}
	conf := joinConfig(c.opts.Spec.Name, token, strings.TrimSpace(string(ip)), r.ProviderID, r.Claim, r.MaxPods)
	if err := n.CommandContext(ctx, "sh", "-c", "mkdir -p /kind && cat > /kind/kubeadm.conf").SetStdin(strings.NewReader(conf)).Run(); err != nil {
		return fmt.Errorf("kind: join config on %s: %w", r.Name, err)
	}
	var out bytes.Buffer
	cmd := n.CommandContext(ctx, "kubeadm", "join", "--config", "/kind/kubeadm.conf", "--v=1")
	cmd.SetStdout(&out)
	cmd.SetStderr(&out)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kind: kubeadm join on %s: %w: %s", r.Name, err, lastLines(out.String(), 5))
	}
	return nil
}

// wireNode waits for the node to register with a pod CIDR and for its
// kube-proxy to have written the Service rules, then gives it the pod
// network (which turns it Ready) and routes every node and this machine
// to its pods. Handed out before kube-proxy's first sync, a node's first
// room took 33–35 s from Running to Ready (~2 s on static nodes); with
// this wait, 10–11 s (its 10 s startup and the probe). Why the early
// node was slow is not confirmed from the room's own log.
func (c *Cluster) wireNode(ctx context.Context, client kubernetes.Interface, name string) error {
	for {
		n, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			if r, ok := routeOf(n); ok {
				if err := waitProxySynced(ctx, name, proxyHealthURL(r.address)); err != nil {
					return err
				}
				break
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kind: node %s never registered with a pod CIDR: %w", name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("kind: listing nodes: %w", err)
	}
	var routes []podRoute
	for i := range list.Items {
		if r, ok := routeOf(&list.Items[i]); ok {
			routes = append(routes, r)
		}
	}
	all, err := c.provider().ListNodes(c.opts.Spec.Name)
	if err != nil {
		return fmt.Errorf("kind: listing nodes: %w", err)
	}
	routes = withContainers(all, routes)
	if err := configurePodNetwork(all, routes); err != nil {
		return err
	}
	return hostRoutes(ctx, routes)
}

// stackArchive is where Up keeps the stack's images for later nodes.
func (c *Cluster) stackArchive() string {
	return filepath.Join(c.stateDir, "kind-"+c.opts.Spec.Name+"-stack.tar")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
