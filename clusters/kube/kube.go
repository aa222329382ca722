// Package kube is the provider for an existing cluster (a staging
// cluster): it creates and deletes no cluster, only checks and reports.
// A run deploys the stack into its own namespace there and removes it
// after (clusters.Cluster.RemoveStack), leaving the cluster as it was.
package kube

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/clusters"
)

// Cluster is an existing cluster named by a kubeconfig.
type Cluster struct {
	kubeconfig, name string
}

// New uses kubeconfig (required: fleetbench never guesses which
// cluster it may load-test).
func New(kubeconfig, name string) (*Cluster, error) {
	if kubeconfig == "" {
		return nil, errors.New("kube provider: --kubeconfig is required")
	}
	return &Cluster{kubeconfig: kubeconfig, name: name}, nil
}

// Name implements clusters.Provider.
func (c *Cluster) Name() string { return "kube" }

// Capabilities of this provider's clusters.
func (c *Cluster) Capabilities() clusters.Capabilities {
	return clusters.Capabilities{Overlay: "base"}
}

// Kubeconfig implements clusters.Provider.
func (c *Cluster) Kubeconfig() string { return c.kubeconfig }

// Up checks that the cluster answers and has a Ready node.
func (c *Cluster) Up(ctx context.Context) error {
	s, err := c.Status(ctx)
	if err != nil {
		return err
	}
	if !s.Up {
		return fmt.Errorf("kube provider: %s", s.Problem)
	}
	return nil
}

// Down leaves the cluster alone: it was not ours to create.
func (c *Cluster) Down(context.Context) error { return nil }

// Status implements clusters.Provider.
func (c *Cluster) Status(ctx context.Context) (clusters.Status, error) {
	s := clusters.Status{Provider: c.Name(), Name: c.name, Kubeconfig: c.kubeconfig}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return s, fmt.Errorf("kube provider: %w", err)
	}
	s.Server = cfg.Host
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return s, err
	}
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		s.Problem = "listing nodes: " + err.Error()
		return s, nil
	}
	s.Nodes, s.ReadyNodes = len(nodes.Items), clusters.ReadyNodes(nodes.Items)
	if s.ReadyNodes == 0 {
		s.Problem = "no Ready node"
	}
	// The stack's pods select their node group by this label, and the
	// run observes (and costs) the room group's nodes by it, whichever
	// autoscaler adds them.
	for _, pool := range []string{clusters.PoolSystem, clusters.PoolRooms} {
		if s.Problem == "" && !hasPool(nodes.Items, pool) {
			s.Problem = fmt.Sprintf("no node labelled %s=%s: label the node group for the stack's %s pods so", clusters.PoolLabel, pool, pool)
		}
	}
	s.Up = s.Problem == ""
	return s, nil
}

func hasPool(nodes []corev1.Node, pool string) bool {
	for _, n := range nodes {
		if n.Labels[clusters.PoolLabel] == pool {
			return true
		}
	}
	return false
}
