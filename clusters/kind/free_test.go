package kind

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/clusters"
)

// A taken API port and a taken node name are refused before kind creates
// anything, each in one line naming it.
func TestTakenPortAndNameRefused(t *testing.T) {
	if err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").Run(); err != nil {
		t.Skip("no Docker daemon answers")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	spec := clusters.DefaultSpec()
	spec.Name = "fbtaken"
	c, err := New(Options{Spec: spec, Kubeconfig: t.TempDir() + "/kc", CacheDir: t.TempDir(), APIPort: l.Addr().(*net.TCPAddr).Port})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.checkFree(ctx); err == nil || !strings.Contains(err.Error(), "port") || !strings.Contains(err.Error(), "is taken") {
		t.Errorf("taken API port: %v", err)
	}
	out, _ := exec.Command("docker", "images", "-q", "--filter", "reference="+"fleetbench/kind-node").Output()
	image := strings.Fields(string(out))
	if len(image) == 0 {
		t.Log("no node image here: the taken-name case is not run")
		return
	}
	if out, err := exec.Command("docker", "create", "--name", "fbtaken-control-plane", image[0]).CombinedOutput(); err != nil {
		t.Fatalf("docker create: %v %s", err, out)
	}
	defer exec.Command("docker", "rm", "-f", "fbtaken-control-plane").Run()
	c.opts.APIPort = 0
	if err := c.checkFree(ctx); err == nil || !strings.Contains(err.Error(), `cluster name "fbtaken" is taken`) || strings.Contains(err.Error(), "\n") {
		t.Errorf("taken name: %v", err)
	}
}
