package kind

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/hostproc"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

// autoscales: Karpenter runs on this cluster when the caller can start
// nodes for it (NodeCommand) and the pool may grow past its static nodes.
func (c *Cluster) autoscales() bool {
	return len(c.opts.NodeCommand) > 0 && c.opts.Spec.Nodes.Max > c.staticRoomNodes()
}

// staticRoomNodes are the room workers kind creates: the pool's minimum
// where Karpenter adds the rest, else the scenario's initial nodes.
func (c *Cluster) staticRoomNodes() int {
	if n := max(c.opts.Spec.Nodes.Min, 1); len(c.opts.NodeCommand) > 0 && c.opts.Spec.Nodes.Max > n {
		return n // kind needs one room worker to start with
	}
	return max(c.opts.Spec.Nodes.Initial, 1)
}

// karpenterFile records the Karpenter process for Down.
func (c *Cluster) karpenterFile() string {
	return filepath.Join(c.stateDir, "kind-"+c.opts.Spec.Name+"-karpenter.json")
}

// startKarpenter installs Karpenter's CRDs and the room NodePool and
// starts Karpenter with the kind provider on this machine.
func (c *Cluster) startKarpenter(ctx context.Context) error {
	tc, err := toolchain.Ensure(ctx, c.opts.CacheDir, c.opts.Progress, []toolchain.Component{toolchain.KindKarpenter()})
	if err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.opts.Kubeconfig)
	if err != nil {
		return fmt.Errorf("kind: its kubeconfig is unusable: %w", err)
	}
	entries, err := os.ReadDir(tc.KarpenterCRDs)
	if err != nil {
		return fmt.Errorf("kind: Karpenter's CRDs: %w", err)
	}
	for _, e := range entries {
		crd, err := os.ReadFile(filepath.Join(tc.KarpenterCRDs, e.Name()))
		if err == nil {
			err = clusters.Apply(ctx, cfg, crd)
		}
		if err != nil {
			return fmt.Errorf("kind: Karpenter CRD %s: %w", e.Name(), err)
		}
	}
	if err := clusters.WaitServed(ctx, cfg, "karpenter.sh/v1", "nodepools", "nodeclaims"); err != nil {
		return fmt.Errorf("kind: Karpenter's CRDs: %w", err)
	}
	s := c.opts.Spec
	h, err := readHost()
	if err != nil {
		return err
	}
	// Every kind node reports the host's cores and memory: the instance
	// type says so too (Karpenter checks a node against its claim), and
	// the kubelet's max-pods bounds the rooms.
	types, err := clusters.KarpenterInstanceTypes(s.Nodes.HourlyCost, map[string]string{"cpu": strconv.Itoa(h.cores),
		"memory": fmt.Sprintf("%dMi", h.totalMiB), "pods": strconv.Itoa(s.Nodes.PodsPerNode + perNodeDaemons)})
	if err != nil {
		return err
	}
	typesFile := filepath.Join(c.stateDir, "kind-"+s.Name+"-instance-types.json") // removed by stopKarpenter
	if err := os.WriteFile(typesFile, types, 0o644); err != nil {
		return err
	}
	ports, err := hostproc.FreePorts(2)
	if err != nil {
		return err
	}
	nodes := append(append([]string{}, c.opts.NodeCommand...), "--name", s.Name, "--kubeconfig", c.opts.Kubeconfig,
		"--max-pods", strconv.Itoa(s.Nodes.PodsPerNode+perNodeDaemons), "--delay", s.Nodes.Boot.String(), "--delay-max", s.Nodes.BootMax.String())
	argv, _ := json.Marshal(nodes)
	env := []string{"KUBECONFIG=" + c.opts.Kubeconfig, "INSTANCE_TYPES_FILE_PATH=" + typesFile, "DISABLE_LEADER_ELECTION=true",
		"METRICS_PORT=" + strconv.Itoa(ports[0]), "HEALTH_PROBE_PORT=" + strconv.Itoa(ports[1]), "LOG_LEVEL=info",
		"FLEETBENCH_KIND_CLUSTER=" + s.Name, "FLEETBENCH_KIND_NODES=" + string(argv)}
	p, err := hostproc.Start("karpenter-"+s.Name, c.stateDir, []string{tc.Binary("karpenter")}, env, ports...)
	if err != nil {
		return fmt.Errorf("kind: %w", err)
	}
	rec, _ := json.Marshal(p)
	if err := os.WriteFile(c.karpenterFile(), rec, 0o644); err != nil {
		return errors.Join(err, p.Stop(10*time.Second))
	}
	ready := func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(ports[1])+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: %s", resp.Status)
		}
		return nil
	}
	if err := p.WaitReady(ctx, 2*time.Minute, ready); err != nil {
		return fmt.Errorf("kind: %w", err)
	}
	if err := clusters.Apply(ctx, cfg, []byte(clusters.KarpenterNodePool(s, fmt.Sprintf("pods: %d", (s.Nodes.Max-c.staticRoomNodes())*(s.Nodes.PodsPerNode+perNodeDaemons)), false))); err != nil {
		return fmt.Errorf("kind: the room NodePool: %w", err)
	}
	fmt.Fprintf(c.opts.Progress, "kind: Karpenter (kind provider) up, rooms on %d to %d nodes; log %s\n", c.staticRoomNodes(), s.Nodes.Max, p.Log)
	return nil
}

// stopKarpenter stops the recorded Karpenter process, if any.
func (c *Cluster) stopKarpenter() error {
	b, err := os.ReadFile(c.karpenterFile())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("kind: %w", err)
	}
	var p hostproc.Process
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("kind: %s: %w", c.karpenterFile(), err)
	}
	if err := p.Stop(10 * time.Second); err != nil {
		return fmt.Errorf("kind: %w", err)
	}
	types := filepath.Join(c.stateDir, "kind-"+c.opts.Spec.Name+"-instance-types.json")
	return errors.Join(os.Remove(c.karpenterFile()), ignoreMissing(os.Remove(types)))
}

func ignoreMissing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
