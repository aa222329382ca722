//go:build e2e

package local_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters/local"
)

// processesUsing lists PIDs whose command line mentions dir: every
// component's flags name files in the state directory.
func processesUsing(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(dir)) {
			found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}

func assertNothingLeft(t *testing.T, c *local.Cluster) {
	t.Helper()
	if left := processesUsing(t, c.StateDir()); len(left) > 0 {
		t.Errorf("processes left after a failed up:\n%s", strings.Join(left, "\n"))
	}
	if _, err := os.Stat(c.StateDir()); !os.IsNotExist(err) {
		t.Errorf("state directory left after a failed up (%v)", err)
	}
}

func TestUpFailsOnTakenPort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c := newLocal(t, testSpec(), l.Addr().(*net.TCPAddr).Port)
	err = c.Up(context.Background())
	if err == nil || !strings.Contains(err.Error(), "kube-apiserver") || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("up on a taken port: %v; want an error naming kube-apiserver and the port", err)
	}
	assertNothingLeft(t, c)
}

func TestUpStopsEverythingWhenAComponentDies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	// A runner that exits at once: every other component started first.
	c, err := local.New(local.Options{
		Spec: testSpec(), StateDir: filepath.Join(t.TempDir(), "state"),
		RunnerCommand: []string{"/bin/sh", "-c", "echo runner broke; exit 3", "sh"},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Up(context.Background())
	if err == nil || !strings.Contains(err.Error(), "runner exited") || !strings.Contains(err.Error(), "runner.log") || !strings.Contains(err.Error(), "runner broke") {
		t.Fatalf("up with a dying runner: %v; want the component, its log file and its last lines", err)
	}
	assertNothingLeft(t, c)
}

func TestCancelledUpTearsDown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var log bytes.Buffer
	self, _ := os.Executable()
	c, err := local.New(local.Options{
		Spec: testSpec(), StateDir: filepath.Join(t.TempDir(), "state"),
		RunnerCommand: []string{self, "fleetbench-runner"},
		// Ctrl-C as soon as the scheduler starts: etcd and the API server run.
		Progress: writerFunc(func(p []byte) {
			mu.Lock()
			defer mu.Unlock()
			log.Write(p)
			if bytes.Contains(p, []byte("starting kube-scheduler")) {
				cancel()
			}
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.Up(ctx); err == nil {
		t.Fatal("a cancelled up succeeded")
	}
	t.Logf("cancelled up returned after %s", time.Since(start))
	assertNothingLeft(t, c)
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }
