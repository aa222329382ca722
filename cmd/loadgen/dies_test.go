//go:build e2e

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/internal/proc"
	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/results"
)

// TestRunWhoseStackDies kills, a few seconds into the players, the API
// server, Redis or the matchmaker under `loadgen run` (SIGKILL, as the
// OOM killer would). The run must stop, write what it gathered with the
// reason it is incomplete, exit 4 (an operation failed, not an answer
// of no), and leave no process of the cluster
// in the process table (checked by PID, zombies included).
func TestRunWhoseStackDies(t *testing.T) {
	if testing.Short() {
		t.Skip("brings up a local cluster three times")
	}
	bin := buildCommands(t)
	for _, c := range []struct{ victim, says string }{
		{"kube-apiserver", "the Kubernetes API server stopped answering"},
		{"redis-server", "redis (pod"},
		{"matchmaker", "matchmaker (pod"},
	} {
		t.Run(c.victim, func(t *testing.T) {
			dir := t.TempDir()
			file, out, state := filepath.Join(dir, "s.yaml"), filepath.Join(dir, "out"), filepath.Join(dir, "state")
			if err := os.WriteFile(file, []byte(interruptRun), 0o644); err != nil {
				t.Fatal(err)
			}
			name := "dies-" + strings.TrimSuffix(c.victim, "-server")
			cmd := exec.Command(filepath.Join(bin, "loadgen"), "run", file, "-o", out, "--state-dir", state, "--name", name, "-q")
			var output bytes.Buffer
			cmd.Stdout, cmd.Stderr = &output, &output
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The journal grows beside the outputs until the run writes them.
			journal := filepath.Join(out, "players.ndjson.partial")
			testkit.Eventually(t, 2*time.Minute, "5 players in the journal", func() bool { return lines(journal) >= 5 })
			pids := clusterPIDs(t, bin, state, name)
			victim := findProcess(pids, c.victim)
			if victim == 0 {
				_ = cmd.Process.Signal(syscall.SIGINT)
				cmd.Wait()
				t.Fatalf("no %s among the cluster's processes %v:\n%s", c.victim, pids, output.String())
			}
			_ = syscall.Kill(victim, syscall.SIGKILL)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(3 * time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("loadgen run still runs 3 minutes after %s died:\n%s", c.victim, output.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != cli.OperationFailed {
				t.Errorf("exit %d after %s died, want %d (an operation failed):\n%s", code, c.victim, cli.OperationFailed, output.String())
			}
			run, err := results.ReadFile(filepath.Join(out, "measured.json"))
			if err != nil {
				t.Fatalf("measured.json after %s died: %v\n%s", c.victim, err, output.String())
			}
			if !strings.Contains(run.Meta.Incomplete, c.says) {
				t.Errorf("meta.incomplete %q does not say %q", run.Meta.Incomplete, c.says)
			}
			if n := run.Counters[results.Players]; n < 5 {
				t.Errorf("only %d players kept", n)
			}
			if !strings.Contains(output.String(), c.says) {
				t.Errorf("the command does not say what died (%q):\n%s", c.says, output.String())
			}
			for _, pid := range pids {
				if !proc.Reaped(pid, 0) {
					t.Errorf("pid %d is still in the process table after the run", pid)
				}
			}
			t.Logf("%s killed; %d players kept; incomplete: %s", c.victim, run.Counters[results.Players], run.Meta.Incomplete)
		})
	}
}

// clusterPIDs are the components' PIDs (from cluster status) and every
// pod process's (from the runner's pid files).
func clusterPIDs(t *testing.T, bin, state, name string) []int {
	t.Helper()
	b, err := exec.Command(filepath.Join(bin, "loadgen"), "cluster", "status", "--json", "--state-dir", state, "--name", name).Output()
	if err != nil {
		t.Fatalf("cluster status: %v", err)
	}
	var st struct {
		Components []struct{ PID int } `json:"components"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("cluster status --json: %v\n%s", err, b)
	}
	var pids []int
	for _, c := range st.Components {
		pids = append(pids, c.PID)
	}
	files, _ := filepath.Glob(filepath.Join(state, "pods", "*", "*.pid"))
	for _, f := range files {
		var pid int
		if b, err := os.ReadFile(f); err == nil {
			fmt.Sscan(string(b), &pid)
		}
		if pid > 1 {
			pids = append(pids, pid)
		}
	}
	return pids
}

// findProcess is the PID among pids whose command line names exe.
func findProcess(pids []int, exe string) int {
	for _, pid := range pids {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if argv0, _, _ := bytes.Cut(b, []byte{0}); strings.HasSuffix(string(argv0), exe) || bytes.Contains(argv0, []byte("/"+exe+" ")) {
			return pid
		}
	}
	return 0
}
