package local

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/hostproc"
	"github.com/fleetbench/fleetbench/clusters/runner"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

// componentOrder is the start order; down stops in reverse.
var componentOrder = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "karpenter", "runner"}

const (
	adminUser  = "fleetbench-admin"
	readyLimit = 90 * time.Second
)

// bringUp is one `up` in progress.
type bringUp struct {
	c     *Cluster
	tc    toolchain.Toolchain
	st    *state
	ports ports
	pki   *pki
	cfg   *rest.Config
}

func (b *bringUp) run(ctx context.Context) error {
	c, dir := b.c, b.c.dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The state file comes first: it is what lets Down clean up after us.
	if err := b.st.write(dir); err != nil {
		return err
	}
	for _, d := range []string{"logs", "etcd", "config", "pods"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	var err error
	if b.ports, err = c.allocatePorts(); err != nil {
		return err
	}
	if b.pki, err = newPKI(filepath.Join(dir, "pki")); err != nil {
		return err
	}
	b.st.Server = localURL("https", b.ports.apiserver, "")
	b.st.Kubeconfig = c.Kubeconfig()
	kubeconfigs := map[string][]string{
		c.Kubeconfig():                   {adminUser, "system:masters"},
		b.config("kcm.kubeconfig"):       {"system:kube-controller-manager"},
		b.config("scheduler.kubeconfig"): {"system:kube-scheduler"},
	}
	for path, id := range kubeconfigs {
		if err := b.pki.kubeconfig(path, b.st.Server, id[0], id[1:]...); err != nil {
			return err
		}
	}
	if b.cfg, err = clientcmd.BuildConfigFromFlags("", c.Kubeconfig()); err != nil {
		return err
	}
	steps := []func(context.Context) error{b.etcd, b.apiserver, b.controllers, b.kwok, b.karpenter, b.nodes, b.runner, b.defaultServiceAccount}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (b *bringUp) config(name string) string { return filepath.Join(b.c.dir, "config", name) }

// start launches a component, records it, and waits for its check.
func (b *bringUp) start(ctx context.Context, name string, argv, env []string, check func(context.Context) error, ports ...int) error {
	fmt.Fprintf(b.c.opts.Progress, "  starting %s\n", name)
	p, err := hostproc.Start(name, filepath.Join(b.c.dir, "logs"), argv, env, ports...)
	if err != nil {
		return err
	}
	b.st.Processes = append(b.st.Processes, p)
	if err := b.st.write(b.c.dir); err != nil {
		return err
	}
	start := time.Now()
	if err := p.WaitReady(ctx, readyLimit, check); err != nil {
		return err
	}
	b.c.opts.Logger.Info("component ready", "name", name, "pid", p.PID, "ports", ports, "log", p.Log, "after", time.Since(start).Round(time.Millisecond))
	return nil
}

func (b *bringUp) etcd(ctx context.Context) error {
	p := b.ports
	return b.start(ctx, "etcd", etcdArgs(b.tc.Binary("etcd"), filepath.Join(b.c.dir, "etcd"), p), nil,
		httpReady(localURL("http", p.etcdClient, "/health"), "", ""), p.etcdClient, p.etcdPeer)
}

func (b *bringUp) apiserver(ctx context.Context) error {
	cert, key := adminCert(b.pki)
	return b.start(ctx, "kube-apiserver", apiserverArgs(b.tc.Binary("kube-apiserver"), b.pki, b.ports), nil,
		httpReady(b.st.Server+"/readyz", cert, key), b.ports.apiserver)
}

func (b *bringUp) controllers(ctx context.Context) error {
	p := b.ports
	if err := b.start(ctx, "kube-controller-manager",
		controllerManagerArgs(b.tc.Binary("kube-controller-manager"), b.config("kcm.kubeconfig"), b.pki, p), nil,
		httpReady(localURL("https", p.controllerManager, "/healthz"), "", ""), p.controllerManager); err != nil {
		return err
	}
	cfg := b.config("scheduler.yaml")
	if err := os.WriteFile(cfg, []byte(schedulerConfig(b.c.opts.Spec, b.config("scheduler.kubeconfig"))), 0o644); err != nil {
		return err
	}
	return b.start(ctx, "kube-scheduler", schedulerArgs(b.tc.Binary("kube-scheduler"), cfg, p), nil,
		httpReady(localURL("https", p.scheduler, "/healthz"), "", ""), p.scheduler)
}

func (b *bringUp) kwok(ctx context.Context) error {
	cfg := b.config("kwok.yaml")
	if err := os.WriteFile(cfg, []byte(kwokConfig(b.c.opts.Spec)), 0o644); err != nil {
		return err
	}
	return b.start(ctx, "kwok", kwokArgs(b.tc.Binary("kwok"), b.c.Kubeconfig(), cfg, b.ports), nil,
		httpReady(localURL("http", b.ports.kwok, "/healthz"), "", ""), b.ports.kwok)
}

func (b *bringUp) karpenter(ctx context.Context) error {
	entries, err := os.ReadDir(b.tc.KarpenterCRDs)
	if err != nil {
		return fmt.Errorf("karpenter CRDs: %w", err)
	}
	for _, e := range entries {
		crd, err := os.ReadFile(filepath.Join(b.tc.KarpenterCRDs, e.Name()))
		if err != nil {
			return err
		}
		if err := clusters.Apply(ctx, b.cfg, crd); err != nil {
			return fmt.Errorf("karpenter CRD %s: %w", e.Name(), err)
		}
	}
	types, err := instanceTypes(b.c.opts.Spec)
	if err != nil {
		return err
	}
	typesFile := b.config("instance-types.json")
	if err := os.WriteFile(typesFile, types, 0o644); err != nil {
		return err
	}
	p := b.ports
	if err := b.start(ctx, "karpenter", []string{b.tc.Binary("karpenter")}, karpenterEnv(b.c.Kubeconfig(), typesFile, b.c.opts.Spec, p),
		httpReady(localURL("http", p.karpenterHealth, "/readyz"), "", ""), p.karpenterMetrics, p.karpenterHealth); err != nil {
		return err
	}
	return clusters.Apply(ctx, b.cfg, []byte(nodePool(b.c.opts.Spec)))
}

func (b *bringUp) runner(ctx context.Context) error {
	o := b.c.opts
	cfg := runner.Config{
		Kubeconfig: b.c.Kubeconfig(),
		Server:     b.st.Server,
		CAFile:     b.pki.path(caCertFile),
		PodsDir:    filepath.Join(b.c.dir, "pods"),
		HealthAddr: "127.0.0.1:" + strconv.Itoa(b.ports.runner),
		Images:     o.Images,
		BinDir:     o.BinDir,
		Startup:    o.Spec.PodStartup,
		TimeScale:  o.Spec.TimeScale,
		Seed:       o.Spec.Seed,
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	path := b.config("runner.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	argv := append(append([]string{}, o.RunnerCommand...), "--config", path)
	return b.start(ctx, "runner", argv, nil, httpReady("http://"+cfg.HealthAddr+"/healthz", "", ""), b.ports.runner)
}

// defaultServiceAccount waits for the controller manager to create the
// default namespace's service account: pods are refused until it exists.
func (b *bringUp) defaultServiceAccount(ctx context.Context) error {
	client, err := kubernetes.NewForConfig(b.cfg)
	if err != nil {
		return err
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, readyLimit, true, func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("kube-controller-manager did not create the default service account (log %s): %w",
			filepath.Join(b.c.dir, "logs", "kube-controller-manager.log"), err)
	}
	return nil
}
