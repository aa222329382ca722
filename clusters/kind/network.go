package kind

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
)

// cniConfig is a node's pod network: a bridge with the node's pod CIDR
// (host-local addresses), no masquerading, so pods keep their addresses
// across nodes; kube-proxy masquerades what Services need.
func cniConfig(podCIDR string) ([]byte, error) {
	return json.MarshalIndent(map[string]any{
		"cniVersion": "1.0.0",
		"name":       "fleetbench",
		"plugins": []map[string]any{
			{
				"type": "bridge", "bridge": "fbr0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
				"ipam": map[string]any{
					"type":   "host-local",
					"ranges": [][]map[string]string{{{"subnet": podCIDR}}},
					"routes": []map[string]string{{"dst": "0.0.0.0/0"}},
				},
			},
			{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}, "", "  ")
}

// podRoute is one node's pod CIDR and the node's address on the Docker
// network, which every other node (and the host) routes that CIDR to.
type podRoute struct {
	node    string
	cidr    netip.Prefix
	address string
}

// nodeRoutes waits until every node has registered with a pod CIDR and an
// internal address (the controller manager allocates the CIDR).
func nodeRoutes(ctx context.Context, client kubernetes.Interface, want int, timeout time.Duration) ([]podRoute, error) {
	deadline := time.Now().Add(timeout)
	for {
		list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		var routes []podRoute
		if err == nil {
			for _, n := range list.Items {
				if r, ok := routeOf(&n); ok {
					routes = append(routes, r)
				}
			}
			if len(routes) >= want {
				return routes, nil
			}
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("%d of %d nodes registered with a pod CIDR", len(routes), want)
			}
			return nil, fmt.Errorf("kind: waiting for the nodes' pod CIDRs: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func routeOf(n *corev1.Node) (podRoute, bool) {
	cidr, err := netip.ParsePrefix(n.Spec.PodCIDR)
	if err != nil {
		return podRoute{}, false
	}
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return podRoute{node: n.Name, cidr: cidr, address: a.Address}, true
		}
	}
	return podRoute{}, false
}

// configurePodNetwork writes each node's CNI config and its routes to the
// other nodes' pods — what kind's kindnetd does, whose module the Go proxy
// does not serve. kubelet turns a node Ready once its CNI config exists.
func configurePodNetwork(all []nodes.Node, routes []podRoute) error {
	byName := map[string]nodes.Node{}
	for _, n := range all {
		byName[n.String()] = n
	}
	for _, r := range routes {
		n, ok := byName[r.node]
		if !ok {
			return fmt.Errorf("kind: node %s is not a container of this cluster", r.node)
		}
		conf, err := cniConfig(r.cidr.String())
		if err != nil {
			return err
		}
		if err := n.Command("sh", "-c", "mkdir -p /etc/cni/net.d && cat > /etc/cni/net.d/10-fleetbench.conflist").SetStdin(bytes.NewReader(conf)).Run(); err != nil {
			return fmt.Errorf("kind: CNI config on %s: %w", r.node, err)
		}
		for _, other := range routes {
			if other.node == r.node {
				continue
			}
			if err := n.Command("ip", "route", "replace", other.cidr.String(), "via", other.address).Run(); err != nil {
				return fmt.Errorf("kind: route to %s's pods on %s: %w", other.node, r.node, err)
			}
		}
	}
	return nil
}

// kubeProxyHealthPort is where kube-proxy answers whether its rules are
// synced (kubeadm's default healthzBindAddress).
const kubeProxyHealthPort = "10256"

// proxyHealthURL is the health of the kube-proxy of the node at address.
func proxyHealthURL(address string) string {
	return "http://" + net.JoinHostPort(address, kubeProxyHealthPort) + "/healthz"
}

// waitProxySynced waits until the node's kube-proxy reports its rules
// written: 200 on /healthz.
func waitProxySynced(ctx context.Context, node, url string) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kind: node %s's kube-proxy never synced its rules (%s): %w", node, url, context.Cause(ctx))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// withContainers drops the routes of Nodes whose container is gone: a
// node Karpenter removed leaves its Node object behind for a while, and a
// node joining then must not fail on it (nor route to it).
func withContainers(all []nodes.Node, routes []podRoute) []podRoute {
	live := map[string]bool{}
	for _, n := range all {
		live[n.String()] = true
	}
	var kept []podRoute
	for _, r := range routes {
		if live[r.node] {
			kept = append(kept, r)
		}
	}
	return kept
}

// hostRoutes routes the pod CIDRs from this machine to their nodes, so
// players in this process reach the rooms on pod addresses. It needs root;
// without it, players run in the cluster (--workers).
func hostRoutes(ctx context.Context, routes []podRoute) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("routes to the pods need root: run the players in the cluster (--workers N)")
	}
	for _, r := range routes {
		out, err := exec.CommandContext(ctx, "ip", "route", "replace", r.cidr.String(), "via", r.address).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip route replace %s via %s: %w: %s", r.cidr, r.address, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}
