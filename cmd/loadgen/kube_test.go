//go:build e2e

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/results"
)

const kubeRun = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: kube-target
seed: 8
duration: 25s
arrivals:
  process: uniform
  segments:
    - constant: {rate: 2}
      for: 15s
    - constant: {rate: 0}
players:
  perMatch: 2
  sessionLength: {fixed: 2s}
fleet:
  policy: {minAvailable: {count: 3}}
  syncInterval: 0s
  podStartup: {fixed: 0s}
nodes:
  podsPerNode: 20
  initial: 1
  min: 1
  max: 1
`

// TestKubeProviderIsAFullTarget treats a running cluster as someone
// else's (--provider kube, its kubeconfig): a run with 2 workers deploys
// the stack in its namespace, plays every arrival from inside the cluster
// and leaves the cluster with the namespaces and nodes it had. A
// kubeconfig without the right to create Jobs gets one line naming it;
// more workers than the nodes can take are refused before the run.
func TestKubeProviderIsAFullTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("brings up a local cluster")
	}
	bin := buildCommands(t)
	dir := t.TempDir()
	file, state := filepath.Join(dir, "s.yaml"), filepath.Join(dir, "state")
	if err := os.WriteFile(file, []byte(kubeRun), 0o644); err != nil {
		t.Fatal(err)
	}
	loadgen := func(args ...string) (int, string) {
		cmd := exec.Command(filepath.Join(bin, "loadgen"), args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		_ = cmd.Run()
		return cmd.ProcessState.ExitCode(), out.String()
	}
	if code, out := loadgen("cluster", "up", "--scenario", file, "--state-dir", state, "--name", "kube-target"); code != 0 {
		t.Fatalf("cluster up: %d\n%s", code, out)
	}
	t.Cleanup(func() { loadgen("cluster", "down", "--state-dir", state, "--name", "kube-target") })
	kubeconfig := statusKubeconfig(t, bin, state)
	client := clientFor(t, kubeconfig)
	ctx := context.Background()
	before := snapshot(t, client)

	out := filepath.Join(dir, "out")
	code, output := loadgen("run", file, "--provider", "kube", "--kubeconfig", kubeconfig, "--workers", "2", "-o", out, "-q")
	if code != 0 {
		t.Fatalf("run with 2 workers: exit %d\n%s", code, output)
	}
	run, err := results.ReadFile(filepath.Join(out, "measured.json"))
	if err != nil {
		t.Fatal(err)
	}
	model, err := results.ReadFile(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := run.Counters[results.Players]
	if n != model.Counters[results.Players] || run.Counters[results.Allocations] != model.Counters[results.Allocations] || int64(lines(filepath.Join(out, "players.ndjson"))) != n {
		t.Errorf("counters %v, model's %v: want the model's players and allocations, each player in the journal", run.Counters, model.Counters)
	}
	if run.Meta.Provider != "kube" || run.Meta.Incomplete != "" {
		t.Errorf("meta %+v", run.Meta)
	}
	testkit.Eventually(t, 2*time.Minute, "the cluster as it was", func() bool { return snapshot(t, client) == before })

	// A user allowed to read nodes but not to create Jobs.
	limited := limitedKubeconfig(t, ctx, client, kubeconfig, dir)
	code, output = loadgen("run", file, "--provider", "kube", "--kubeconfig", limited, "--workers", "2", "-o", filepath.Join(dir, "denied"), "-q")
	want := "may not create jobs.batch in namespace fleetbench"
	if code != cli.OperationFailed || !strings.Contains(output, want) || strings.Count(strings.TrimSpace(output), "\n") != 0 {
		t.Errorf("without RBAC for Jobs: exit %d, output %q; want exit %d and one line saying %q", code, output, cli.OperationFailed, want)
	}

	code, output = loadgen("run", file, "--provider", "kube", "--kubeconfig", kubeconfig, "--workers", "200", "--worker-cpu", "1", "-o", filepath.Join(dir, "wide"), "-q")
	if code != cli.Usage || !strings.Contains(output, "--workers 200: the nodes the stack runs on") {
		t.Errorf("200 workers of 1 CPU on 16: exit %d\n%s", code, output)
	}
	if _, err := os.Stat(filepath.Join(dir, "wide", "players.ndjson")); err == nil {
		t.Error("a refused run started its players")
	}
	testkit.Eventually(t, 2*time.Minute, "the cluster as it was after the refusals", func() bool { return snapshot(t, client) == before })
	t.Logf("2 workers: time_to_room p50 %.3f s p99 %.3f s over %d players", run.Metrics[results.TimeToRoom].P50, run.Metrics[results.TimeToRoom].P99, run.Counters[results.Players])
}

func statusKubeconfig(t *testing.T, bin, state string) string {
	t.Helper()
	b, err := exec.Command(filepath.Join(bin, "loadgen"), "cluster", "status", "--json", "--state-dir", state, "--name", "kube-target").Output()
	if err != nil {
		t.Fatalf("cluster status: %v", err)
	}
	var st struct{ Kubeconfig string }
	if err := json.Unmarshal(b, &st); err != nil || st.Kubeconfig == "" {
		t.Fatalf("cluster status --json: %v\n%s", err, b)
	}
	return st.Kubeconfig
}

func clientFor(t *testing.T, kubeconfig string) kubernetes.Interface {
	t.Helper()
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// snapshot is the namespaces and nodes of the cluster, as one string.
func snapshot(t *testing.T, client kubernetes.Interface) string {
	ctx := context.Background()
	var names []string
	if list, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err == nil {
		for _, n := range list.Items {
			names = append(names, "ns/"+n.Name)
		}
	}
	if list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err == nil {
		for _, n := range list.Items {
			names = append(names, "node/"+n.Name)
		}
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

// limitedKubeconfig is a service account's kubeconfig that may list
// nodes (the kube provider's health check) and nothing more.
func limitedKubeconfig(t *testing.T, ctx context.Context, client kubernetes.Interface, admin, dir string) string {
	t.Helper()
	name := "fleetbench-no-jobs"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := client.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	must(err)
	_, err = client.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get", "list"}}}}, metav1.CreateOptions{})
	must(err)
	_, err = client.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: "default"}}}, metav1.CreateOptions{})
	must(err)
	t.Cleanup(func() {
		client.RbacV1().ClusterRoleBindings().Delete(ctx, name, metav1.DeleteOptions{})
		client.RbacV1().ClusterRoles().Delete(ctx, name, metav1.DeleteOptions{})
		client.CoreV1().ServiceAccounts("default").Delete(ctx, name, metav1.DeleteOptions{})
	})
	tok, err := client.CoreV1().ServiceAccounts("default").CreateToken(ctx, name, &authv1.TokenRequest{}, metav1.CreateOptions{})
	must(err)
	cfg, err := clientcmd.LoadFromFile(admin)
	must(err)
	kc := clientcmdapi.NewConfig()
	for cname, c := range cfg.Clusters {
		kc.Clusters[cname] = c
		kc.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
		kc.Contexts[name] = &clientcmdapi.Context{Cluster: cname, AuthInfo: name}
		kc.CurrentContext = name
	}
	path := filepath.Join(dir, "limited.kubeconfig")
	must(clientcmd.WriteToFile(*kc, path))
	return path
}
