package kind

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/exec"
)

// fakeNode records the commands kind would run in a node container.
type fakeNode struct {
	name string
	ran  *[]string
	out  string // what every command prints
}

func (n fakeNode) String() string              { return n.name }
func (n fakeNode) Role() (string, error)       { return "worker", nil }
func (n fakeNode) IP() (string, string, error) { return "", "", nil }
func (n fakeNode) SerialLogs(io.Writer) error  { return nil }
func (n fakeNode) Command(c string, a ...string) exec.Cmd {
	return &fakeCmd{node: n, argv: append([]string{c}, a...)}
}
func (n fakeNode) CommandContext(_ context.Context, c string, a ...string) exec.Cmd {
	return n.Command(c, a...)
}

type fakeCmd struct {
	node  fakeNode
	argv  []string
	stdin io.Reader
	out   io.Writer
}

func (c *fakeCmd) Run() error {
	line := c.node.name + ": " + strings.Join(c.argv, " ")
	if c.stdin != nil {
		b, _ := io.ReadAll(c.stdin)
		line += " <<< " + string(b)
	}
	*c.node.ran = append(*c.node.ran, line)
	if c.out != nil {
		io.WriteString(c.out, c.node.out)
	}
	return nil
}
func (c *fakeCmd) SetEnv(...string) exec.Cmd      { return c }
func (c *fakeCmd) SetStdin(r io.Reader) exec.Cmd  { c.stdin = r; return c }
func (c *fakeCmd) SetStdout(w io.Writer) exec.Cmd { c.out = w; return c }
func (c *fakeCmd) SetStderr(io.Writer) exec.Cmd   { return c }

func TestPodNetworkPerNode(t *testing.T) {
	var ran []string
	all := []nodes.Node{fakeNode{name: "a", ran: &ran}, fakeNode{name: "b", ran: &ran}}
	routes := []podRoute{
		{node: "a", cidr: netip.MustParsePrefix("10.244.0.0/24"), address: "172.19.0.2"},
		{node: "b", cidr: netip.MustParsePrefix("10.244.1.0/24"), address: "172.19.0.3"},
	}
	if err := configurePodNetwork(all, routes); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ran, "\n")
	for _, want := range []string{
		"a: ip route replace 10.244.1.0/24 via 172.19.0.3",
		"b: ip route replace 10.244.0.0/24 via 172.19.0.2",
		`"subnet": "10.244.1.0/24"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("commands lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "a: ip route replace 10.244.0.0/24") {
		t.Errorf("a node routes its own pods away:\n%s", got)
	}
	if err := configurePodNetwork(all[:1], routes); err == nil || !strings.Contains(err.Error(), "node b") {
		t.Errorf("a route for a node that is no container of the cluster: %v", err)
	}
	// A node joining while Karpenter removes another: the removed one's
	// Node outlives its container, and is neither configured nor routed to.
	ran = nil
	if err := configurePodNetwork(all[:1], withContainers(all[:1], routes)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ran, "\n"); strings.Contains(got, "10.244.1.0/24") || !strings.Contains(got, "10.244.0.0/24") {
		t.Errorf("with b's container gone:\n%s", got)
	}
}

func TestCNIConfigIsValidJSONWithTheNodesRange(t *testing.T) {
	b, err := cniConfig("10.244.7.0/24")
	if err != nil {
		t.Fatal(err)
	}
	var conf struct {
		Plugins []struct {
			Type   string
			IPMasq bool `json:"ipMasq"`
			IPAM   struct{ Ranges [][]struct{ Subnet string } }
		}
	}
	if err := json.Unmarshal(b, &conf); err != nil {
		t.Fatal(err)
	}
	if conf.Plugins[0].Type != "bridge" || conf.Plugins[0].IPMasq || conf.Plugins[0].IPAM.Ranges[0][0].Subnet != "10.244.7.0/24" {
		t.Errorf("config %s", b)
	}
}

func TestNodeThatNeverTurnsReadyIsNamedWithItsKubeletLog(t *testing.T) {
	var ran []string
	ready := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "ok"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
	stuck := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "stuck"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}}}}
	client := fake.NewClientset(&ready, &stuck)
	all := []nodes.Node{fakeNode{name: "ok", ran: &ran}, fakeNode{name: "stuck", ran: &ran, out: "container runtime network not ready: cni config uninitialized"}}
	err := waitReady(context.Background(), client, all, 10*time.Millisecond)
	if err == nil {
		t.Fatal("a NotReady node passed")
	}
	msg := err.Error()
	if !strings.Contains(msg, "node stuck never became Ready") || !strings.Contains(msg, "cni config uninitialized") || strings.Contains(msg, "node ok") {
		t.Errorf("error %q: want only the stuck node, with its kubelet's last lines", msg)
	}
	if err := waitReady(context.Background(), client, all[:1], time.Second); err != nil {
		t.Errorf("Ready nodes: %v", err)
	}
	var buf bytes.Buffer
	buf.WriteString(strings.Join(ran, "\n"))
	if !strings.Contains(buf.String(), "stuck: journalctl -u kubelet") {
		t.Errorf("kubelet's log not read from the stuck node: %s", buf.String())
	}
}

func TestNoDockerDaemonIsOneLine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	c, err := New(Options{Kubeconfig: t.TempDir() + "/kc", CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Up(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "kind: no Docker daemon answers") || strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("Up without a daemon: %q, want one line naming the cause", err)
	}
	if err := c.Down(context.Background()); err == nil || !strings.Contains(err.Error(), "no Docker daemon answers") {
		t.Errorf("Down without a daemon: %v", err)
	}
}

// A node is wired only once its kube-proxy says its rules are synced;
// one that never does is named with the address it was asked at.
func TestWaitProxySynced(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) < 3 {
			http.Error(w, "not synced", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	if err := waitProxySynced(context.Background(), "n1", srv.URL); err != nil || asked.Load() != 3 {
		t.Errorf("%v after %d asks, want success at the third", err, asked.Load())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	never := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer never.Close()
	if err := waitProxySynced(ctx, "n2", never.URL); err == nil || !strings.Contains(err.Error(), "n2") || !strings.Contains(err.Error(), never.URL) {
		t.Errorf("a kube-proxy that never syncs: %v", err)
	}
	if got := proxyHealthURL("172.18.0.5"); got != "http://172.18.0.5:10256/healthz" {
		t.Errorf("health URL %s", got)
	}
}
