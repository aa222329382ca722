//go:build e2e

package local_test

import (
	"context"
	"fmt"
	"github.com/fleetbench/fleetbench/deploy"
	"github.com/fleetbench/fleetbench/stack/wire"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/local"
	"github.com/fleetbench/fleetbench/internal/proc"
)

func newLocal(t *testing.T, spec clusters.Spec, apiPort int) *local.Cluster {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c, err := local.New(local.Options{
		Spec:          spec,
		StateDir:      filepath.Join(t.TempDir(), "state"),
		APIServerPort: apiPort,
		RunnerCommand: []string{self, "fleetbench-runner"},
		Images:        map[string][]string{"fleetbench/testserver": {self, "fleetbench-testserver"}},
		Progress:      testWriter{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestLocalCluster walks the acceptance path on one cluster:
// deploy and reach a pod, autoscale a node, roll, lose a node, tear down.
func TestLocalCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	lc := newLocal(t, testSpec(), 0)
	c := clusters.New(lc, nil)
	t.Cleanup(func() { _ = c.Down(context.Background()) })
	if err := c.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Up(ctx); err != nil { // up twice is safe: nothing restarts
		t.Fatalf("second up: %v", err)
	}
	// A run of another scenario must not measure on this cluster's shape.
	other := testSpec()
	other.Nodes.PodsPerNode++
	again, err := local.New(local.Options{Spec: other, StateDir: lc.StateDir(), RunnerCommand: []string{"/bin/true"}, Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Up(ctx); err == nil || !strings.Contains(err.Error(), "PodsPerNode") {
		t.Fatalf("up for another scenario on a running cluster: %v, want a refusal naming the node pool", err)
	}
	client, err := c.Client()
	if err != nil {
		t.Fatal(err)
	}
	var seen struct {
		sync.Mutex
		nodes  map[string]bool
		events int
	}
	seen.nodes = map[string]bool{}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if err := c.Watch(watchCtx, clusters.Handlers{
		Node: func(_, n *corev1.Node) {
			if n != nil {
				seen.Lock()
				seen.nodes[n.Name] = true
				seen.Unlock()
			}
		},
		Event: func(*corev1.Event) { seen.Lock(); seen.events++; seen.Unlock() },
	}); err != nil {
		t.Fatal(err)
	}
	markers := t.TempDir()
	if err := c.Deploy(ctx, []byte(testDeployment(2, markers))); err != nil {
		t.Fatal(err)
	}

	t.Run("reach pods on their IPs", func(t *testing.T) {
		pods := waitReady(ctx, t, client, 2)
		for _, p := range pods {
			body := get(t, p.Status.PodIP)
			if !strings.HasPrefix(body, p.Name+" ") {
				t.Errorf("GET %s = %q, want the pod's name %s", p.Status.PodIP, body, p.Name)
			}
			if !strings.HasPrefix(p.Status.PodIP, "127.") {
				t.Errorf("pod IP %s is not loopback", p.Status.PodIP)
			}
		}
	})

	t.Run("karpenter adds a node past capacity", func(t *testing.T) {
		before := karpenterNodes(ctx, t, client)
		scale(ctx, t, client, 3)
		waitReady(ctx, t, client, 3)
		after := karpenterNodes(ctx, t, client)
		if len(after) <= len(before) {
			t.Fatalf("karpenter nodes %d → %d: want a new node", len(before), len(after))
		}
		seen.Lock()
		defer seen.Unlock()
		if !seen.nodes[after[len(after)-1].Name] || seen.events == 0 {
			t.Errorf("watch saw nodes %v and %d events; want the new node and some events", seen.nodes, seen.events)
		}
	})

	t.Run("rolling update sends SIGTERM to old pods", func(t *testing.T) {
		old := waitReady(ctx, t, client, 3)
		if err := deploy.On(c).SetVersion(ctx, "default", "testserver", "v2"); err != nil {
			t.Fatal(err)
		}
		pods := waitVersion(ctx, t, client, 3, "v2")
		for _, p := range pods {
			if body := get(t, p.Status.PodIP); body != p.Name+" v2" {
				t.Errorf("GET %s = %q, want %q", p.Name, body, p.Name+" v2")
			}
		}
		for _, p := range old {
			waitFor(ctx, t, "SIGTERM marker of "+p.Name, func() bool {
				_, err := os.Stat(filepath.Join(markers, p.Name))
				return err == nil
			})
		}
	})

	t.Run("deleted node's pods are rescheduled", func(t *testing.T) {
		waitReady(ctx, t, client, 3)
		// A Karpenter node: its termination finalizer drains it. (A static
		// node's pods wait for the pod GC's 40 s orphan quarantine.)
		node := karpenterNodes(ctx, t, client)[0].Name
		if err := deploy.On(c).DeleteNode(ctx, node); err != nil {
			t.Fatal(err)
		}
		waitFor(ctx, t, "3 Ready pods off node "+node, func() bool {
			ready := readyPods(ctx, t, client)
			for _, p := range ready {
				if p.Spec.NodeName == node {
					return false
				}
			}
			return len(ready) == 3
		})
	})

	t.Run("down leaves nothing behind", func(t *testing.T) {
		pids := podPIDs(ctx, t, client)
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, comp := range st.Components {
			pids = append(pids, comp.PID)
		}
		ports := statePorts(t, lc.StateDir())
		if err := c.Down(ctx); err != nil {
			t.Fatal(err)
		}
		// Checked as a user checks, by process id: not even a zombie (which
		// answers kill -0) may be left when down returns.
		for _, pid := range pids {
			if !proc.Reaped(pid, 0) {
				t.Errorf("pid %d is still in the process table after down", pid)
			}
		}
		for _, port := range ports {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				t.Errorf("port %d still taken after down: %v", port, err)
				continue
			}
			l.Close()
		}
		if _, err := os.Stat(lc.StateDir()); !os.IsNotExist(err) {
			t.Errorf("state directory %s left behind (%v)", lc.StateDir(), err)
		}
		if err := c.Down(ctx); err != nil {
			t.Errorf("down with nothing up: %v", err)
		}
	})
}

func testDeployment(replicas int, markers string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: testserver
  namespace: default
spec:
  replicas: %d
  selector:
    matchLabels: {app: testserver}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: testserver, %s: %s, %s: v1}
    spec:
      nodeSelector: {%s: %s}
      terminationGracePeriodSeconds: 5
      containers:
      - name: server
        image: fleetbench/testserver:dev
        ports: [{name: http, containerPort: 8080}]
        env:
        - {name: PORT, value: "8080"}
        - {name: MARKERS, value: %q}
        - {name: FLEETBENCH_VERSION, value: v1}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        resources:
          requests: {cpu: "1"}
        readinessProbe:
          httpGet: {path: /, port: http}
          periodSeconds: 1
`, replicas, clusters.RunLabel, clusters.RunAsProcess, wire.VersionLabel, clusters.PoolLabel, clusters.PoolRooms, markers)
}

func get(t *testing.T, ip string) string {
	t.Helper()
	resp, err := http.Get("http://" + net.JoinHostPort(ip, "8080") + "/")
	if err != nil {
		t.Fatalf("GET %s: %v", ip, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func scale(ctx context.Context, t *testing.T, client kubernetes.Interface, n int32) {
	t.Helper()
	s, err := client.AppsV1().Deployments("default").GetScale(ctx, "testserver", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Spec.Replicas = n
	if _, err := client.AppsV1().Deployments("default").UpdateScale(ctx, "testserver", s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
