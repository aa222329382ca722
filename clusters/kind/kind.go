package kind

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
	"sigs.k8s.io/kind/pkg/cmd"

	"github.com/fleetbench/fleetbench/clusters"
)

// Options configure the kind provider.
type Options struct {
	Spec clusters.Spec
	// Kubeconfig is where the cluster's kubeconfig is written; default
	// ${XDG_STATE_HOME:-~/.local/state}/fleetbench/kind-NAME.kubeconfig.
	Kubeconfig string
	Progress   io.Writer
}

// Cluster is the kind provider.
type Cluster struct {
	opts     Options
	provider *cluster.Provider
}

// New returns the provider; it needs a Docker daemon only from Up on.
func New(o Options) (*Cluster, error) {
	if o.Spec.Name == "" {
		o.Spec.Name = clusters.DefaultName
	}
	if o.Kubeconfig == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		o.Kubeconfig = filepath.Join(home, ".local", "state", "fleetbench", "kind-"+o.Spec.Name+".kubeconfig")
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return &Cluster{opts: o, provider: cluster.NewProvider(cluster.ProviderWithLogger(cmd.NewLogger()), cluster.ProviderWithDocker())}, nil
}

// Name implements clusters.Provider.
func (c *Cluster) Name() string { return "kind" }

// Capabilities of this provider's clusters.
func (c *Cluster) Capabilities() clusters.Capabilities {
	return clusters.Capabilities{Overlay: "kind"}
}

// Kubeconfig implements clusters.Provider.
func (c *Cluster) Kubeconfig() string { return c.opts.Kubeconfig }

func (c *Cluster) exists() (bool, error) {
	names, err := c.provider.List()
	if err != nil {
		return false, fmt.Errorf("kind: listing clusters (is the Docker daemon running?): %w", err)
	}
	return slices.Contains(names, c.opts.Spec.Name), nil
}

// Up creates the cluster (unless it exists), then builds and loads the
// stack's images.
func (c *Cluster) Up(ctx context.Context) error {
	ok, err := c.exists()
	if err != nil {
		return err
	}
	if !ok {
		if err := os.MkdirAll(filepath.Dir(c.opts.Kubeconfig), 0o755); err != nil {
			return err
		}
		fmt.Fprintf(c.opts.Progress, "creating kind cluster %q\n", c.opts.Spec.Name)
		if err := c.provider.Create(c.opts.Spec.Name,
			cluster.CreateWithV1Alpha4Config(Config(c.opts.Spec)),
			cluster.CreateWithKubeconfigPath(c.opts.Kubeconfig),
			cluster.CreateWithWaitForReady(5*time.Minute)); err != nil {
			return fmt.Errorf("kind: creating cluster: %w", err)
		}
	}
	if err := c.loadImages(ctx); err != nil {
		return errors.Join(err, c.Down(context.WithoutCancel(ctx)))
	}
	return nil
}

// loadImages builds each stack image present in this checkout and loads
// it into every node (what `kind load docker-image` does).
func (c *Cluster) loadImages(ctx context.Context) error {
	work, err := os.MkdirTemp("", "fleetbench-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var present []string
	for _, name := range StackCommands {
		if _, err := os.Stat(filepath.Join("cmd", name)); err == nil {
			present = append(present, name)
		}
	}
	nodes, err := c.provider.ListInternalNodes(c.opts.Spec.Name)
	if err != nil {
		return fmt.Errorf("kind: listing nodes: %w", err)
	}
	for _, im := range ImagePlan(work, present) {
		fmt.Fprintf(c.opts.Progress, "building image %s\n", im)
		if err := os.MkdirAll(im.Context, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(im.Context, "Dockerfile"), []byte(im.Dockerfile), 0o644); err != nil {
			return err
		}
		for _, argv := range im.Commands() {
			if out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput(); err != nil {
				return fmt.Errorf("kind: %v: %w\n%s", argv, err, out)
			}
		}
		archive := filepath.Join(work, im.Name[len("fleetbench/"):len(im.Name)-len(":"+ImageTag)]+".tar")
		if out, err := exec.CommandContext(ctx, "docker", "save", "-o", archive, im.Name).CombinedOutput(); err != nil {
			return fmt.Errorf("kind: docker save %s: %w\n%s", im.Name, err, out)
		}
		for _, n := range nodes {
			f, err := os.Open(archive)
			if err != nil {
				return err
			}
			err = nodeutils.LoadImageArchive(n, f)
			f.Close()
			if err != nil {
				return fmt.Errorf("kind: loading %s into %s: %w", im.Name, n, err)
			}
		}
	}
	return nil
}

// Down deletes the cluster; with none, it does nothing.
func (c *Cluster) Down(context.Context) error {
	ok, err := c.exists()
	if err != nil || !ok {
		return err
	}
	return c.provider.Delete(c.opts.Spec.Name, c.opts.Kubeconfig)
}

// Status implements clusters.Provider.
func (c *Cluster) Status(ctx context.Context) (clusters.Status, error) {
	s := clusters.Status{Provider: c.Name(), Name: c.opts.Spec.Name, Kubeconfig: c.opts.Kubeconfig}
	ok, err := c.exists()
	if err != nil {
		s.Problem = err.Error()
		return s, nil
	}
	if !ok {
		return s, nil
	}
	nodes, err := c.provider.ListNodes(c.opts.Spec.Name)
	if err != nil {
		s.Problem = err.Error()
		return s, nil
	}
	for _, n := range nodes {
		s.Components = append(s.Components, clusters.Component{Name: n.String(), Running: true})
	}
	s.Up = true
	return s, nil
}
