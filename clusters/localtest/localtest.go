// Package localtest brings up the local cluster for other packages'
// tests: call Main from TestMain (the test binary doubles as the pod
// runner) and Start from a test.
package localtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/local"
	"github.com/fleetbench/fleetbench/clusters/runner"
)

const runnerRole = "fleetbench-localtest-runner"

// Main runs the tests, or the pod runner when the local provider starts
// this binary as one.
func Main(m *testing.M) {
	if len(os.Args) > 3 && os.Args[1] == runnerRole && os.Args[2] == "--config" {
		os.Exit(runRunner(os.Args[3]))
	}
	os.Exit(m.Run())
}

func runRunner(path string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	cfg, err := runner.ReadConfig(path)
	if err == nil {
		var r *runner.Runner
		if r, err = runner.New(cfg, slog.New(slog.NewTextHandler(os.Stderr, nil))); err == nil {
			err = r.Run(ctx)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Options adjust the test cluster.
type Options struct {
	Spec   clusters.Spec       // zero: clusters.DefaultSpec() with no pod startup delay
	Images map[string][]string // extra image → command mappings
	BinDir string              // the stack's binaries (fleetbench/NAME images)
}

// Start brings up a local cluster for the test and tears it down after.
func Start(t testing.TB, o Options) *clusters.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	spec := o.Spec
	if spec.Nodes.PodsPerNode == 0 {
		spec = clusters.DefaultSpec()
		spec.PodStartup.Fixed.Duration = 0
	}
	spec.Name = "fleetbench-" + strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	lc, err := local.New(local.Options{
		Spec: spec, StateDir: filepath.Join(t.TempDir(), "state"),
		RunnerCommand: []string{self, runnerRole}, Images: o.Images, BinDir: o.BinDir,
		Progress: testWriter{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := clusters.New(lc, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		if err := c.Down(context.Background()); err != nil {
			t.Errorf("cluster down: %v", err)
		}
	})
	if err := c.Up(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// BuildStack builds the stack's commands (room server, matchmaker,
// fleetd) and the extra ones named (loadgen, sim: the images of worker
// pods) into a directory for Options.BinDir. Extra commands are asked for
// by the tests that need them: each links client-go, seconds apiece.
func BuildStack(t testing.TB, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"build", "-o", dir + "/"}
	for _, cmd := range append([]string{"roomserver", "matchmaker", "fleetd"}, extra...) {
		args = append(args, "github.com/fleetbench/fleetbench/cmd/"+cmd)
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}
