// Package clusters brings up the cluster a real run uses — a control
// plane on loopback (local), kind, or an existing kubeconfig (kube) — and
// gives its clients, manifests applied, and watches to whoever uses it
// (the stack and its faults are package deploy's).
package clusters

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Provider creates and destroys one kind of cluster.
type Provider interface {
	// Name is "local", "kind" or "kube".
	Name() string
	// Up creates the cluster, or does nothing if it is already up and
	// healthy. On failure it leaves nothing running.
	Up(ctx context.Context) error
	// Down removes the cluster; with nothing up it does nothing.
	Down(ctx context.Context) error
	// Status reports what runs.
	Status(ctx context.Context) (Status, error)
	// Kubeconfig is the path of an admin kubeconfig once Up has succeeded.
	Kubeconfig() string
	// Capabilities says what the provider's cluster can do for a run.
	Capabilities() Capabilities
}

// Capabilities are what a run may rely on from a provider's cluster,
// asked for instead of its name so a new provider states them once.
type Capabilities struct {
	// Overlay is the manifests overlay the stack is rendered with: "base"
	// (the stack as written) or "kind".
	Overlay string
	// OwnsNodes: the provider made the cluster's nodes and may delete
	// them (a timeline's nodeLoss); on someone's cluster it may not.
	OwnsNodes bool
	// AutoscaledRooms: the room node pool grows on demand, so a run can
	// warm it to the scenario's initial nodes (kind's nodes are fixed at
	// creation; an existing cluster is as it is).
	AutoscaledRooms bool
	// RoomsDrawStartup: the room server waits a draw of the scenario's
	// pod startup before taking players, where the cluster starts
	// containers at once (kind's preloaded images). The local runner
	// realizes it itself; a real cluster's own startup is what it is.
	RoomsDrawStartup bool
	// HoldDown: a pod's processes can be stopped and restarted at the
	// same pod and address (a Redis restart with downtime).
	HoldDown bool
	// Reachable are the networks besides loopback whose addresses players
	// in this process may dial: the cluster's own, routed through
	// containers it started (kind's pod network).
	Reachable []netip.Prefix
	// NotMeasured names what runs on this provider's clusters cannot
	// measure; it goes into each run's results and report.
	NotMeasured string
}

// ContainerRestarter is implemented by providers that can kill a pod's
// containers in place (kind, through its node's containerd): kubelet
// restarts them in the same pod, at the same address, with its volumes.
type ContainerRestarter interface {
	RestartContainers(ctx context.Context, pod *corev1.Pod) error
}

// Status is a provider's view of its cluster.
type Status struct {
	Provider   string      `json:"provider"`
	Name       string      `json:"name"`
	Up         bool        `json:"up"`
	Server     string      `json:"server,omitempty"`
	Kubeconfig string      `json:"kubeconfig,omitempty"`
	Components []Component `json:"components,omitempty"`
	Nodes      int         `json:"nodes"`
	ReadyNodes int         `json:"readyNodes"`
	Problem    string      `json:"problem,omitempty"`
}

// Component is one process or container of the cluster.
type Component struct {
	Name    string `json:"name"`
	PID     int    `json:"pid,omitempty"`
	Running bool   `json:"running"`
	Log     string `json:"log,omitempty"`
}

// Cluster wraps a provider with the Kubernetes clients and the hooks that
// loadgen drives the timeline with. Its methods are safe for concurrent use.
type Cluster struct {
	Provider
	log *slog.Logger

	mu     sync.Mutex
	config *rest.Config
	client kubernetes.Interface
}

// New wraps p; log (nil for none) records the timeline actions taken.
func New(p Provider, log *slog.Logger) *Cluster {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cluster{Provider: p, log: log}
}

// clients connects on first use; a failure is not remembered, since the
// kubeconfig appears only once Up has run.
func (c *Cluster) clients() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return nil
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig())
	if err != nil {
		return fmt.Errorf("%s cluster kubeconfig %q: %w", c.Name(), c.Kubeconfig(), err)
	}
	// Load tests create and watch many objects; the default 5 QPS
	// would make the client, not the cluster, the bottleneck.
	cfg.QPS, cfg.Burst = 200, 400
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	c.config, c.client = cfg, client
	return nil
}

// Client is a typed client for the cluster (after Up).
func (c *Cluster) Client() (kubernetes.Interface, error) {
	if err := c.clients(); err != nil {
		return nil, err
	}
	return c.client, nil
}

// RESTConfig is the admin client configuration (after Up).
func (c *Cluster) RESTConfig() (*rest.Config, error) {
	if err := c.clients(); err != nil {
		return nil, err
	}
	return rest.CopyConfig(c.config), nil
}

// Logger is the cluster's logger, for packages that act on it.
func (c *Cluster) Logger() *slog.Logger { return c.log }
