package kind

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/defaults"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kind/pkg/cluster"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind/nodeimage"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

// PublishedImage is kind's own node image (a registry must answer).
const PublishedImage = defaults.Image

// Options configure the kind provider.
type Options struct {
	Spec clusters.Spec
	// Kubeconfig is where the cluster's kubeconfig is written; default
	// ${XDG_STATE_HOME:-~/.local/state}/fleetbench/kind-NAME.kubeconfig.
	Kubeconfig string
	// NodeImage: "" builds (or reuses) the offline image unless Docker
	// already holds kind's published one; "kind" is kind's published
	// image (pulled); anything else is used as it is.
	NodeImage string
	// CacheDir is fleetbench's build cache (the offline image's parts).
	CacheDir string
	// APIPort is the API server's port on 127.0.0.1 (0: any free one).
	APIPort  int
	Progress io.Writer
	// NodeCommand starts and removes node containers for Karpenter
	// (`loadgen cluster node`); with it, a pool whose max exceeds its min
	// is autoscaled by Karpenter's kind provider. Without it the room
	// pool is fixed at nodes.initial.
	NodeCommand []string
}

// Cluster is the kind provider.
type Cluster struct {
	opts     Options
	stateDir string
}

// New returns the provider; it needs a Docker daemon only from Up on.
func New(o Options) (*Cluster, error) {
	if o.Spec.Name == "" {
		o.Spec.Name = clusters.DefaultName
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, err
	}
	state := filepath.Join(home, ".local", "state", "fleetbench")
	if o.Kubeconfig == "" {
		o.Kubeconfig = filepath.Join(state, "kind-"+o.Spec.Name+".kubeconfig")
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.CacheDir == "" {
		if o.CacheDir, err = toolchain.DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	return &Cluster{opts: o, stateDir: state}, nil
}

// network is the Docker network the cluster's nodes live on: its own,
// so `down` can remove it and traffic stays among this cluster's nodes.
func (c *Cluster) network() string { return "fleetbench-kind-" + c.opts.Spec.Name }

// provider is kind's, on this cluster's network (kind reads the network
// name from its environment when it creates nodes).
func (c *Cluster) provider() *cluster.Provider {
	os.Setenv("KIND_EXPERIMENTAL_DOCKER_NETWORK", c.network())
	return cluster.NewProvider(cluster.ProviderWithLogger(progressLogger{c.opts.Progress}), cluster.ProviderWithDocker())
}

// Name implements clusters.Provider.
func (c *Cluster) Name() string { return "kind" }

// Capabilities of this provider's clusters: fixed nodes, and pods that
// players in this process reach through routes to the node containers.
func (c *Cluster) Capabilities() clusters.Capabilities {
	caps := clusters.Capabilities{Overlay: "kind", OwnsNodes: true, RoomsDrawStartup: true, Reachable: []netip.Prefix{netip.MustParsePrefix(PodSubnet)}}
	if !c.autoscales() {
		caps.NotMeasured = "node autoscaling (kind's room pool is fixed at the scenario's nodes.initial nodes)"
	}
	return caps
}

// Kubeconfig implements clusters.Provider.
func (c *Cluster) Kubeconfig() string { return c.opts.Kubeconfig }

// checkDocker fails with one line when no Docker daemon answers.
func checkDocker(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		return fmt.Errorf("kind: no Docker daemon answers (docker version: %s)", firstLine(string(out), err))
	}
	return nil
}

func (c *Cluster) exists() (bool, error) {
	names, err := c.provider().List()
	if err != nil {
		return false, fmt.Errorf("kind: listing clusters: %w", err)
	}
	return slices.Contains(names, c.opts.Spec.Name), nil
}

// Up creates the cluster (unless it exists), gives it its pod network and
// loads the stack's images. On failure it leaves nothing running.
func (c *Cluster) Up(ctx context.Context) (err error) {
	if err := checkDocker(ctx); err != nil {
		return err
	}
	var parts *okgParts
	if c.opts.Spec.Controller == clusters.ControllerOKG {
		if parts, err = c.prepareOKG(ctx); err != nil {
			return err
		}
	}
	ok, err := c.exists()
	if err != nil {
		return err
	}
	if ok {
		if err := c.checkPool(ctx); err != nil || parts == nil {
			return err
		}
		return c.installOKG(ctx, parts)
	}
	// Refused before a build of minutes, not after.
	if err := c.checkFree(ctx); err != nil {
		return err
	}
	h, err := readHost()
	if err != nil {
		return err
	}
	if err := h.fits(c.largestPool()); err != nil {
		return err
	}
	if err := ensureInotify(c.largestPool(), c.opts.Progress); err != nil {
		return err
	}
	image, offline, err := c.nodeImage(ctx)
	if err != nil {
		return err
	}
	mode, err := ProbeMode(ctx, image)
	if err != nil {
		return fmt.Errorf("kind: %w", err)
	}
	fmt.Fprintf(c.opts.Progress, "kind: %s\n", mode)
	if mode.Unprivileged {
		if err := installWrapper(filepath.Join(c.stateDir, "kind-docker")); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Down(context.WithoutCancel(ctx)))
		}
	}()
	if err := os.MkdirAll(filepath.Dir(c.opts.Kubeconfig), 0o755); err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(c.opts.Progress, "kind: creating cluster %q from %s\n", c.opts.Spec.Name, image)
	if err := c.provider().Create(c.opts.Spec.Name,
		cluster.CreateWithV1Alpha4Config(c.config(image, offline, mode)),
		cluster.CreateWithKubeconfigPath(c.opts.Kubeconfig),
		cluster.CreateWithDisplayUsage(false), cluster.CreateWithDisplaySalutation(false)); err != nil {
		return fmt.Errorf("kind: creating cluster: %w", err)
	}
	if err := c.finish(ctx, offline); err != nil {
		return err
	}
	if parts != nil {
		if err := c.installOKG(ctx, parts); err != nil {
			return err
		}
	}
	if c.autoscales() {
		if err := c.startKarpenter(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.opts.Progress, "kind: cluster %q up in %s\n", c.opts.Spec.Name, time.Since(start).Round(time.Second))
	return nil
}

func (c *Cluster) config(image string, offline bool, mode Mode) *v1alpha4.Cluster {
	spec := c.opts.Spec
	spec.Nodes.Initial = c.staticRoomNodes()
	cfg := Config(spec, image, offline, mode)
	cfg.Networking.APIServerPort = int32(c.opts.APIPort)
	return cfg
}

// nodeImage picks the node image (see Options.NodeImage); offline says it
// is fleetbench's own build.
func (c *Cluster) nodeImage(ctx context.Context) (image string, offline bool, err error) {
	switch c.opts.NodeImage {
	case "kind":
		return PublishedImage, false, nil
	case "":
		if exec.CommandContext(ctx, "docker", "image", "inspect", PublishedImage).Run() == nil {
			return PublishedImage, false, nil
		}
		ref, err := nodeimage.Ensure(ctx, nodeimage.Options{CacheDir: c.opts.CacheDir, Progress: c.opts.Progress})
		if err != nil {
			return "", false, fmt.Errorf("kind: the offline node image: %w", err)
		}
		return ref, true, nil
	}
	return c.opts.NodeImage, strings.HasPrefix(c.opts.NodeImage, nodeimage.Repository+":"), nil
}

// checkFree refuses, before kind trips over them, containers that hold
// this cluster's node names and an API port that is taken.
func (c *Cluster) checkFree(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "docker", "ps", "-a", "--filter", "name=^"+c.opts.Spec.Name+"-", "--format", "{{.Names}}").Output()
	if err != nil {
		return fmt.Errorf("kind: listing containers: %w", err)
	}
	if names := strings.Fields(string(out)); len(names) > 0 {
		return fmt.Errorf("kind: cluster name %q is taken: containers %s exist and are not a kind cluster's", c.opts.Spec.Name, strings.Join(names, ", "))
	}
	if p := c.opts.APIPort; p != 0 {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return fmt.Errorf("kind: API server port %d is taken: %w", p, err)
		}
		l.Close()
	}
	return nil
}
