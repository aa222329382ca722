//go:build e2e

package local_test

import (
	"context"
	"encoding/json"
	"github.com/fleetbench/fleetbench/stack/wire"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// waitFor polls cond every 200 ms until it holds or ctx ends.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func testPods(ctx context.Context, t *testing.T, client kubernetes.Interface) []corev1.Pod {
	t.Helper()
	list, err := client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=testserver"})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// readyPods are the test pods that are Ready and not terminating.
func readyPods(ctx context.Context, t *testing.T, client kubernetes.Interface) []corev1.Pod {
	var ready []corev1.Pod
	for _, p := range testPods(ctx, t, client) {
		if p.DeletionTimestamp != nil {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				ready = append(ready, p)
			}
		}
	}
	return ready
}

// waitReady waits until exactly n test pods are Ready and none other exists.
func waitReady(ctx context.Context, t *testing.T, client kubernetes.Interface, n int) []corev1.Pod {
	t.Helper()
	var ready []corev1.Pod
	waitFor(ctx, t, strconv.Itoa(n)+" Ready pods", func() bool {
		ready = readyPods(ctx, t, client)
		return len(ready) == n && len(testPods(ctx, t, client)) == n
	})
	return ready
}

func waitVersion(ctx context.Context, t *testing.T, client kubernetes.Interface, n int, version string) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	waitFor(ctx, t, strconv.Itoa(n)+" Ready pods at "+version, func() bool {
		pods = waitReady(ctx, t, client, n)
		for _, p := range pods {
			if p.Labels[wire.VersionLabel] != version {
				return false
			}
		}
		return true
	})
	return pods
}

func karpenterNodes(ctx context.Context, t *testing.T, client kubernetes.Interface) []corev1.Node {
	t.Helper()
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "karpenter.sh/nodepool"})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// podPIDs reads the processes behind the pods from their container IDs.
func podPIDs(ctx context.Context, t *testing.T, client kubernetes.Interface) []int {
	var pids []int
	for _, p := range testPods(ctx, t, client) {
		for _, cs := range p.Status.ContainerStatuses {
			if pid, err := strconv.Atoi(strings.TrimPrefix(cs.ContainerID, "process://")); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	if len(pids) == 0 {
		t.Fatal("no pod processes found")
	}
	return pids
}

// statePorts reads the ports the components listen on from the state file.
func statePorts(t *testing.T, dir string) []int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "cluster.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Processes []struct{ Ports []int } }
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	var ports []int
	for _, p := range st.Processes {
		ports = append(ports, p.Ports...)
	}
	return ports
}
