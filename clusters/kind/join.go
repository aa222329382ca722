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
	"sigs.k8s.io/kind/pkg/cluster/nodes"
)

// joinConfig is the kubeadm JoinConfiguration kind writes for a worker,
// with the provider ID Karpenter finds the node by and the taint
// Karpenter lifts once it has registered the node.
func joinConfig(cluster, token, nodeIP, providerID string, maxPods int) string {
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
    value: "%d"
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
`, nodeIP, providerID, maxPods, cluster+"-control-plane:6443", token)
}

// join joins the node with a fresh bootstrap token.
func (c *Cluster) join(ctx context.Context, n nodes.Node, r NodeRequest) error {
	client, _, err := c.client()
	if err != nil {
		return err
	}
	token, err := joinToken(ctx, client, time.Hour)
	if err != nil {
		return err
	}
	ip, err := exec.CommandContext(ctx, "docker", "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", r.Name).Output()
	if err != nil {
		return fmt.Errorf("kind: node %s's address: %w", r.Name, err)
	}
	conf := joinConfig(c.opts.Spec.Name, token, strings.TrimSpace(string(ip)), r.ProviderID, r.MaxPods)
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

// wireNode waits for the node to register with a pod CIDR, then gives it
// the pod network and routes every node and this machine to its pods.
func (c *Cluster) wireNode(ctx context.Context, name string) error {
	client, _, err := c.client()
	if err != nil {
		return err
	}
	for {
		n, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err == nil && n.Spec.PodCIDR != "" {
			break
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
