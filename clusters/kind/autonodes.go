package kind

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
)

// Labels that mark a node container Karpenter asked for, and what for.
const (
	providerIDLabel   = "dev.fleetbench.provider-id"
	instanceTypeLabel = "dev.fleetbench.instance-type"
	// DefaultJoinTimeout bounds a node's start, join and registration
	// after its delay (measured: 8 s on an idle 2-core host).
	DefaultJoinTimeout = 3 * time.Minute
)

// AutoNode is a node container started for Karpenter.
type AutoNode struct {
	Name         string    `json:"name"`
	ProviderID   string    `json:"providerID"`
	InstanceType string    `json:"instanceType"`
	Created      time.Time `json:"created"`
}

// NodeRequest is one node Karpenter wants.
type NodeRequest struct {
	Name, ProviderID, InstanceType string
	// Claim is the NodeClaim the node realizes (annotated on the Node).
	Claim string
	// MaxPods is the kubelet's pod limit: the pool's rooms per node and
	// the per-node daemons.
	MaxPods int
	// Delay is the scenario's provision and boot time added before the
	// container starts, a cloud's VM on top of the real join: uniform on
	// [Delay, DelayMax] as the local cluster's kwok stage draws it.
	Delay, DelayMax time.Duration
	// JoinTimeout bounds the start, join and registration (0: the
	// default); a node not in by then is removed.
	JoinTimeout time.Duration
}

// CreateNode creates a node's container as kind creates a worker, not
// yet started: like a cloud's instance, it exists (and is listed) from
// the moment it is asked for. StartNode boots it.
func (c *Cluster) CreateNode(ctx context.Context, r NodeRequest) error {
	template, err := c.templateNode(ctx)
	if err != nil {
		return err
	}
	if !template.privileged {
		// kind's node commands run `docker exec --privileged`, which the
		// daemon refuses where it refused the nodes' --privileged.
		if err := installWrapper(filepath.Join(c.stateDir, "kind-docker")); err != nil {
			return err
		}
	}
	return c.createContainer(ctx, r, template)
}

// StartNode waits the request's delay, starts the node's container,
// loads the stack's images, joins it with a fresh bootstrap token and
// wires it into the pod network; it returns once the node has registered.
// A node that fails is removed, and the error, also left as an Event on
// its claim, carries its kubelet's last lines. A node deleted meanwhile
// (Karpenter gave up its claim) is no failure.
func (c *Cluster) StartNode(ctx context.Context, r NodeRequest) (err error) {
	client, _, err := c.client()
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(r.delay()):
	}
	timeout := cmp.Or(r.JoinTimeout, DefaultJoinTimeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("kind: node %s did not join within %s", r.Name, timeout))
	defer cancel()
	n, err := c.nodeByName(r.Name)
	if err != nil {
		return nil // deleted before it started
	}
	defer func() {
		if err != nil && c.containerExists(r.Name) {
			err = fmt.Errorf("%w; its kubelet said:\n%s\nits kube-proxy said:\n%s", err, kubeletTail(n), kubeProxyTail(n))
			bg := context.WithoutCancel(ctx)
			err = errors.Join(err, c.DeleteNode(bg, r.Name), c.reportJoinFailure(bg, client, r, err))
		}
	}()
	began := time.Now()
	stage := func(what string) {
		fmt.Fprintf(c.opts.Progress, "kind: node %s: %s at +%.1fs\n", r.Name, what, time.Since(began).Seconds())
	}
	stage("delays done, starting its container")
	if out, err := exec.CommandContext(ctx, "docker", "start", r.Name).CombinedOutput(); err != nil {
		return fmt.Errorf("kind: starting node %s: %s", r.Name, firstLine(string(out), err))
	}
	stage("container started")
	if err := waitActive(ctx, n, "containerd"); err != nil {
		return err
	}
	stage("containerd active")
	if err := c.loadArchive(n); err != nil {
		return err
	}
	stage("stack images loaded")
	if err := c.join(ctx, client, n, r); err != nil {
		return err
	}
	stage("joined")
	if err := c.wireNode(ctx, client, r.Name); err != nil {
		return err
	}
	stage("kube-proxy synced, pod network wired")
	return c.annotateNode(ctx, client, r)
}

// containerExists: the node's container is still there (not deleted by
// Karpenter while it started).
func (c *Cluster) containerExists(name string) bool {
	return exec.Command("docker", "container", "inspect", "--format", "{{.Id}}", name).Run() == nil
}

// delay draws the request's delay.
func (r NodeRequest) delay() time.Duration {
	if r.DelayMax <= r.Delay {
		return r.Delay
	}
	return r.Delay + rand.N(r.DelayMax-r.Delay)
}

// templateNode is the node image and mode of the cluster's workers.
type templateNode struct {
	image      string
	privileged bool
}

func (c *Cluster) templateNode(ctx context.Context) (templateNode, error) {
	out, err := exec.CommandContext(ctx, "docker", "inspect", "--format", "{{.Config.Image}} {{.HostConfig.Privileged}}", c.opts.Spec.Name+"-worker").Output()
	if err != nil {
		return templateNode{}, fmt.Errorf("kind: cluster %q has no worker to copy: %w", c.opts.Spec.Name, err)
	}
	image, priv, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	return templateNode{image: image, privileged: priv == "true"}, nil
}

// createContainer creates the container with kind's worker flags and
// labels (kind deletes it with the cluster).
func (c *Cluster) createContainer(ctx context.Context, r NodeRequest, t templateNode) error {
	args := []string{"create", "--tty", "--net", c.network(), "--restart=on-failure:1", "--init=false", "--cgroupns=private",
		"--hostname", r.Name, "--name", r.Name,
		"--label", "io.x-k8s.kind.cluster=" + c.opts.Spec.Name, "--label", "io.x-k8s.kind.role=worker",
		"--label", providerIDLabel + "=" + r.ProviderID, "--label", instanceTypeLabel + "=" + r.InstanceType,
		"--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
		"--tmpfs", "/tmp", "--tmpfs", "/run", "--volume", "/var", "--volume", "/lib/modules:/lib/modules:ro"}
	if t.privileged {
		args = append(args, "--privileged")
	} else {
		args = append(args, UnprivilegedFlags()...)
	}
	args = append(args, t.image)
	if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("kind: creating node %s: %s", r.Name, firstLine(string(out), err))
	}
	return nil
}

func (c *Cluster) nodeByName(name string) (nodes.Node, error) {
	all, err := c.provider().ListNodes(c.opts.Spec.Name)
	if err != nil {
		return nil, fmt.Errorf("kind: listing nodes: %w", err)
	}
	for _, n := range all {
		if n.String() == name {
			return n, nil
		}
	}
	return nil, fmt.Errorf("kind: node %s is not a container of cluster %s", name, c.opts.Spec.Name)
}

// waitActive waits for a systemd unit in the node.
func waitActive(ctx context.Context, n nodes.Node, unit string) error {
	for {
		if n.CommandContext(ctx, "systemctl", "is-active", "--quiet", unit).Run() == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kind: %s never started on %s: %w", unit, n, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// loadArchive imports the stack's images, kept from Up, into the node.
func (c *Cluster) loadArchive(n nodes.Node) error {
	f, err := os.Open(c.stackArchive())
	if err != nil {
		return fmt.Errorf("kind: the stack's images for %s (kept by cluster up): %w", n, err)
	}
	defer f.Close()
	if err := nodeutils.LoadImageArchive(n, f); err != nil {
		return fmt.Errorf("kind: loading the stack's images into %s: %w", n, err)
	}
	return nil
}

// DeleteNode removes a node container; one already gone is no error.
// Karpenter has drained the node and deletes its Node object itself.
func (c *Cluster) DeleteNode(ctx context.Context, name string) error {
	out, err := exec.CommandContext(ctx, "docker", "rm", "--force", "--volumes", name).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "No such container") {
		return fmt.Errorf("kind: removing node %s: %s", name, firstLine(string(out), err))
	}
	return nil
}

// AutoNodes lists the node containers started for Karpenter.
func (c *Cluster) AutoNodes(ctx context.Context) ([]AutoNode, error) {
	out, err := exec.CommandContext(ctx, "docker", "ps", "--all", "--no-trunc",
		"--filter", "label=io.x-k8s.kind.cluster="+c.opts.Spec.Name, "--filter", "label="+providerIDLabel,
		"--format", "{{json .}}").Output()
	if err != nil {
		return nil, fmt.Errorf("kind: listing node containers: %w", err)
	}
	return parseAutoNodes(out)
}

// parseAutoNodes reads `docker ps --format '{{json .}}'` lines.
func parseAutoNodes(out []byte) ([]AutoNode, error) {
	var list []AutoNode
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var row struct{ Names, Labels, CreatedAt string }
		if err := dec.Decode(&row); err != nil {
			if errors.Is(err, io.EOF) {
				return list, nil
			}
			return nil, fmt.Errorf("kind: docker ps: %w", err)
		}
		n := AutoNode{Name: row.Names}
		for _, kv := range strings.Split(row.Labels, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case providerIDLabel:
				n.ProviderID = v
			case instanceTypeLabel:
				n.InstanceType = v
			}
		}
		// docker prints "2026-12-06 02:19:15 +0000 UTC".
		n.Created, _ = time.Parse("2006-01-02 15:04:05 -0700 MST", row.CreatedAt)
		list = append(list, n)
	}
}
