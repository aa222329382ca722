package local_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/local"
	"github.com/fleetbench/fleetbench/scenarios"
)

// The refusals that start nothing: the cluster tests (faults_test.go,
// local_test.go) are behind the e2e build tag.

// testSpec is a small pool: 2 rooms per node, one static node, up to 4.
func testSpec() clusters.Spec {
	s := clusters.DefaultSpec()
	s.Name = "fleetbench-test"
	s.Nodes.PodsPerNode, s.Nodes.Min, s.Nodes.Max = 2, 1, 4
	s.Nodes.Boot, s.Nodes.BootMax = 2*time.Second, 2*time.Second
	s.PodStartup = scenarios.Distribution{Fixed: &scenarios.Duration{Duration: 200 * time.Millisecond}}
	return s
}

func TestUpRefusesForeignStateDir(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(precious, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := local.New(local.Options{Spec: testSpec(), StateDir: dir, RunnerCommand: []string{"/bin/true"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Up(context.Background()); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("up in a foreign directory: %v", err)
	}
	if err := c.Down(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(precious); err != nil {
		t.Fatalf("down removed a directory that was not a cluster's: %v", err)
	}
}

func TestCheckImagesNamesMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	c, err := local.New(local.Options{Spec: testSpec(), StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckImages([]string{"redis:7.2"})
	if err == nil || !strings.Contains(err.Error(), "redis-server") || !strings.Contains(err.Error(), "PATH") {
		t.Fatalf("missing redis-server: %v", err)
	}
}
