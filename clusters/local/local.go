// Package local is the cluster provider that needs no Docker: a real
// Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler), kwok nodes, Karpenter's kwok
// provider for node autoscaling, and a pod runner that realizes the
// stack's pods as local processes.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/hostproc"
	"github.com/fleetbench/fleetbench/clusters/runner"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
	"github.com/fleetbench/fleetbench/internal/proc"
)

// Options configure the local provider.
type Options struct {
	Spec clusters.Spec
	// StateDir holds certificates, data, logs and the state file; default
	// ${XDG_STATE_HOME:-~/.local/state}/fleetbench/<name>.
	StateDir string
	// CacheDir holds the built components; default toolchain.DefaultCacheDir().
	CacheDir string
	// APIServerPort fixes the API server's port; 0 picks a free one.
	APIServerPort int
	// RunnerCommand starts the pod runner; "--config FILE" is appended.
	RunnerCommand []string
	// Images maps container images to local commands (see runner.Config).
	Images map[string][]string
	// BinDir holds the stack's binaries for fleetbench/* images.
	BinDir string
	// Progress receives build and start-up progress lines.
	Progress io.Writer
	Logger   *slog.Logger
}

// Cluster is the local provider.
type Cluster struct {
	opts Options
	dir  string
}

// New returns the provider; nothing starts until Up.
func New(opts Options) (*Cluster, error) {
	if opts.Spec.Name == "" {
		opts.Spec.Name = clusters.DefaultName
	}
	if opts.StateDir == "" {
		dir, err := defaultStateDir()
		if err != nil {
			return nil, err
		}
		opts.StateDir = filepath.Join(dir, opts.Spec.Name)
	}
	if opts.CacheDir == "" {
		dir, err := toolchain.DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		opts.CacheDir = dir
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Cluster{opts: opts, dir: opts.StateDir}, nil
}

func defaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "fleetbench"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "fleetbench"), nil
}

// Name implements clusters.Provider.
func (c *Cluster) Name() string { return "local" }

// Capabilities of this provider's clusters.
func (c *Cluster) Capabilities() clusters.Capabilities {
	return clusters.Capabilities{Overlay: "base", OwnsNodes: true, AutoscaledRooms: true, HoldDown: true}
}

// Kubeconfig implements clusters.Provider.
func (c *Cluster) Kubeconfig() string { return filepath.Join(c.dir, "kubeconfig") }

// StateDir is where the cluster keeps its files (logs under logs/).
func (c *Cluster) StateDir() string { return c.dir }

// Up implements clusters.Provider.
func (c *Cluster) Up(ctx context.Context) error {
	if st, err := readState(c.dir); err == nil {
		problem := c.health(ctx, st)
		if problem == "" {
			if st.Spec != nil && !reflect.DeepEqual(*st.Spec, c.opts.Spec) {
				return fmt.Errorf("local cluster %q is up, made for another scenario (%s); take it down first (loadgen cluster down) or run the scenario it was made for",
					st.Name, clusters.SpecDiff(*st.Spec, c.opts.Spec))
			}
			fmt.Fprintf(c.opts.Progress, "local cluster %q is already up (%s)\n", st.Name, c.Kubeconfig())
			return nil
		}
		fmt.Fprintf(c.opts.Progress, "local cluster %q is unhealthy (%s): recreating it\n", st.Name, problem)
		if err := c.Down(ctx); err != nil {
			return err
		}
	}
	if len(c.opts.RunnerCommand) == 0 {
		return errors.New("local cluster: no pod runner command configured")
	}
	// Down removes the state directory: never adopt one that holds
	// anything but a cluster of ours.
	if entries, err := os.ReadDir(c.dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("local cluster: state directory %s is not empty and holds no cluster; refusing to use it", c.dir)
	}
	tc, err := toolchain.Ensure(ctx, c.opts.CacheDir, c.opts.Progress, toolchain.Local())
	if err != nil {
		return err
	}
	start := time.Now()
	spec := c.opts.Spec
	b := &bringUp{c: c, tc: tc, st: &state{Name: spec.Name, Spec: &spec}}
	if err := b.run(ctx); err != nil {
		// Tear down with a fresh context: ctx may be what was cancelled.
		if derr := c.Down(context.WithoutCancel(ctx)); derr != nil {
			err = errors.Join(err, fmt.Errorf("cleaning up: %w", derr))
		}
		return fmt.Errorf("local cluster up: %w", err)
	}
	fmt.Fprintf(c.opts.Progress, "local cluster %q up in %s; kubeconfig %s; kubectl %s\n",
		c.opts.Spec.Name, time.Since(start).Round(10*time.Millisecond), c.Kubeconfig(), tc.Binary("kubectl"))
	return nil
}

// Down implements clusters.Provider: stops every recorded process (runner
// first, so pods end before the API they report to) and removes the state.
func (c *Cluster) Down(ctx context.Context) error {
	st, err := readState(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // nothing up (or not ours to remove)
	}
	var errs []error
	if err != nil {
		errs = append(errs, err)
	} else {
		for i := len(st.Processes) - 1; i >= 0; i-- {
			p := st.Processes[i]
			if err := p.Stop(10 * time.Second); err != nil {
				errs = append(errs, err)
			}
			c.opts.Logger.Info("component stopped", "name", p.Name, "pid", p.PID)
		}
	}
	// Pods whose runner died cannot be stopped by it: their PIDs are on disk.
	errs = append(errs, runner.KillLeftovers(filepath.Join(c.dir, "pods")))
	if st != nil {
		errs = append(errs, c.waitGone(st.Processes))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("local cluster down: %w (state kept in %s)", err, c.dir)
	}
	return os.RemoveAll(c.dir)
}

// reapWait bounds how long down waits for init to collect the exited
// components (instant under systemd or tini; seconds under some sandboxes).
const reapWait = 30 * time.Second

// waitGone returns once every component has left the process table (a
// zombie still answers kill -0, and a check by PID would see it) and its
// ports are free, so that a following up cannot collide with it.
func (c *Cluster) waitGone(ps []*hostproc.Process) error {
	started := time.Now()
	deadline := started.Add(reapWait)
	var errs []error
	for _, p := range ps {
		if !proc.WaitReaped(p.PID, p.StartTicks, time.Until(deadline)) {
			errs = append(errs, fmt.Errorf("%s (pid %d) exited but its parent has not reaped it after %s", p.Name, p.PID, reapWait))
		}
		for _, port := range p.Ports {
			if err := waitPortFree(port, time.Until(deadline)); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p.Name, err))
			}
		}
	}
	c.opts.Logger.Info("components reaped, ports free", "wait", time.Since(started).Round(time.Millisecond))
	return errors.Join(errs...)
}

// Status implements clusters.Provider.
func (c *Cluster) Status(ctx context.Context) (clusters.Status, error) {
	s := clusters.Status{Provider: c.Name(), Name: c.opts.Spec.Name}
	st, err := readState(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.Server, s.Kubeconfig = st.Server, st.Kubeconfig
	for _, p := range st.Processes {
		s.Components = append(s.Components, clusters.Component{Name: p.Name, PID: p.PID, Running: p.Alive(), Log: p.Log})
	}
	s.Problem = c.health(ctx, st)
	s.Up = s.Problem == ""
	if s.Up {
		s.Nodes, s.ReadyNodes, err = countNodes(ctx, c.Kubeconfig())
		if err != nil {
			s.Problem, s.Up = err.Error(), false
		}
	}
	return s, nil
}

// health is "" when every component runs and the API server is ready.
func (c *Cluster) health(ctx context.Context, st *state) string {
	if len(st.Processes) < len(componentOrder) {
		return "an earlier start did not finish"
	}
	for _, p := range st.Processes {
		if !p.Alive() {
			return p.Name + " is not running (log " + p.Log + ")"
		}
	}
	k := &pki{dir: filepath.Join(c.dir, "pki")}
	cert, key := adminCert(k)
	if err := httpReady(st.Server+"/readyz", cert, key)(ctx); err != nil {
		return "kube-apiserver: " + err.Error()
	}
	return ""
}

// CheckImages implements clusters.ImageChecker with the runner's image map.
func (c *Cluster) CheckImages(images []string) error {
	cfg := runner.Config{Images: c.opts.Images, BinDir: c.opts.BinDir}
	var errs []error
	for _, im := range images {
		if err := cfg.Resolve(im); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("local cluster cannot run these images: %w", err)
	}
	return nil
}
