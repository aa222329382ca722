package local_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/local"
	"github.com/fleetbench/fleetbench/scenarios"
)

// benchCluster brings up a cluster with the default node stages and no
// pod startup delay, so the figures are the machinery's own.
func benchCluster(b *testing.B) *clusters.Cluster {
	b.Helper()
	self, _ := os.Executable()
	spec := clusters.DefaultSpec()
	spec.Name = "fleetbench-bench"
	spec.PodStartup = scenarios.Distribution{Fixed: &scenarios.Duration{}}
	lc, err := local.New(local.Options{
		Spec: spec, StateDir: filepath.Join(b.TempDir(), "state"),
		RunnerCommand: []string{self, "fleetbench-runner"},
		Images:        map[string][]string{"sleeper": {"/bin/sleep", "3600"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	c := clusters.New(lc, nil)
	start := time.Now()
	if err := c.Up(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "s-warm-up")
	b.Cleanup(func() { _ = c.Down(context.Background()) })
	return c
}

func sleepers(name string, replicas int, pool, cpu string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: default}
spec:
  replicas: %d
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s, %s: %s}}
    spec:
      nodeSelector: {%s: %s}
      terminationGracePeriodSeconds: 1
      containers:
      - {name: s, image: sleeper, resources: {requests: {cpu: %q}}}
`, name, replicas, name, name, clusters.RunLabel, clusters.RunAsProcess, clusters.PoolLabel, pool, cpu)
}

// watchPods records when each pod of app was first seen Running with a
// running process (client-side clock: API timestamps have 1 s resolution).
type podClock struct {
	mu          sync.Mutex
	unsched     map[string]time.Time
	running     map[string]time.Time
	nodeCreated map[string]time.Time
	nodeReady   map[string]time.Time
	podNode     map[string]string
}

func newPodClock() *podClock {
	return &podClock{unsched: map[string]time.Time{}, running: map[string]time.Time{}, nodeCreated: map[string]time.Time{}, nodeReady: map[string]time.Time{}, podNode: map[string]string{}}
}

func (pc *podClock) handlers() clusters.Handlers {
	return clusters.Handlers{
		Pod: func(_, p *corev1.Pod) {
			if p == nil {
				return
			}
			now := time.Now()
			pc.mu.Lock()
			defer pc.mu.Unlock()
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable {
					if _, ok := pc.unsched[p.Name]; !ok {
						pc.unsched[p.Name] = now
					}
				}
			}
			if _, ok := pc.running[p.Name]; !ok && len(p.Status.ContainerStatuses) > 0 && p.Status.ContainerStatuses[0].State.Running != nil {
				pc.running[p.Name], pc.podNode[p.Name] = now, p.Spec.NodeName
			}
		},
		Node: func(_, n *corev1.Node) {
			if n == nil {
				return
			}
			now := time.Now()
			pc.mu.Lock()
			defer pc.mu.Unlock()
			if _, ok := pc.nodeCreated[n.Name]; !ok {
				pc.nodeCreated[n.Name] = now
			}
			if _, ok := pc.nodeReady[n.Name]; !ok && clusters.ReadyNodes([]corev1.Node{*n}) == 1 {
				pc.nodeReady[n.Name] = now
			}
		},
	}
}

func (pc *podClock) count() int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.running)
}

// BenchmarkPodsRealized: pods per second from a Deployment's creation to
// every process running, through scheduler, controllers and runner.
func BenchmarkPodsRealized(b *testing.B) {
	c := benchCluster(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pc := newPodClock()
	if err := c.Watch(ctx, pc.handlers()); err != nil {
		b.Fatal(err)
	}
	const n = 100
	start := time.Now()
	if err := c.Deploy(ctx, []byte(sleepers("many", n, clusters.PoolSystem, "10m"))); err != nil {
		b.Fatal(err)
	}
	for pc.count() < n {
		if time.Since(start) > 3*time.Minute {
			b.Fatalf("%d of %d pods running after 3 min", pc.count(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.ReportMetric(n/time.Since(start).Seconds(), "pods/s")
}

// BenchmarkNodeScaleUp: one pod past capacity, timed from Unschedulable to
// its node created, node Ready and the pod's process running.
func BenchmarkNodeScaleUp(b *testing.B) {
	c := benchCluster(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pc := newPodClock()
	if err := c.Watch(ctx, pc.handlers()); err != nil {
		b.Fatal(err)
	}
	per := clusters.DefaultSpec().Nodes.PodsPerNode
	if err := c.Deploy(ctx, []byte(sleepers("rooms", per+1, clusters.PoolRooms, "1"))); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for pc.count() < per+1 {
		if time.Since(start) > 3*time.Minute {
			b.Fatalf("%d of %d pods running after 3 min", pc.count(), per+1)
		}
		time.Sleep(20 * time.Millisecond)
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for pod, t0 := range pc.unsched {
		node := pc.podNode[pod]
		b.ReportMetric(pc.nodeCreated[node].Sub(t0).Seconds(), "s-to-node-created")
		b.ReportMetric(pc.nodeReady[node].Sub(t0).Seconds(), "s-to-node-ready")
		b.ReportMetric(pc.running[pod].Sub(t0).Seconds(), "s-to-pod-running")
		return
	}
	b.Fatal("no pod was Unschedulable")
}
