//go:build e2e

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/results"
)

// TestInterruptFlushesAndTearsDown runs `loadgen run` as a user does and
// presses Ctrl-C (SIGINT) a few seconds into the players: the command
// exits non-zero, measured.json, the journal, model.json and the report
// hold what was gathered, and the cluster it brought up is gone.
func TestInterruptFlushesAndTearsDown(t *testing.T) {
	if testing.Short() {
		t.Skip("brings up a local cluster")
	}
	bin := buildCommands(t)
	dir := t.TempDir()
	file, out, state := filepath.Join(dir, "s.yaml"), filepath.Join(dir, "out"), filepath.Join(dir, "state")
	if err := os.WriteFile(file, []byte(interruptRun), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "loadgen"), "run", file, "-o", out, "--state-dir", state, "--name", "interrupt-test")
	var stdout strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The journal grows beside the outputs until the run writes them.
	journalFile := filepath.Join(out, "players.ndjson")
	testkit.Eventually(t, 2*time.Minute, "5 players in the journal", func() bool { return lines(journalFile+".partial") >= 5 })
	_ = cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		if code := cmd.ProcessState.ExitCode(); code != cli.Interrupted {
			t.Errorf("an interrupted run exited %d, want %d:\n%s", code, cli.Interrupted, stdout.String())
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("no exit 2 minutes after Ctrl-C:\n%s", stdout.String())
	}
	run, err := results.ReadFile(filepath.Join(out, "measured.json"))
	if err != nil {
		t.Fatalf("measured.json after Ctrl-C: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(run.Meta.Incomplete, "interrupted") {
		t.Errorf("measured.json does not say it is incomplete: meta.incomplete %q", run.Meta.Incomplete)
	}
	if n := run.Counters[results.Players]; n < 5 || n != int64(lines(journalFile)) {
		t.Errorf("%d players in measured.json, %d in the journal: want the same, at least 5", n, lines(journalFile))
	}
	if _, err := os.Stat(journalFile + ".partial"); err == nil {
		t.Errorf("the growing journal is left beside the outputs")
	}
	for _, f := range []string{"model.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	status := exec.Command(filepath.Join(bin, "loadgen"), "cluster", "status", "--state-dir", state, "--name", "interrupt-test")
	if b, err := status.CombinedOutput(); err == nil {
		t.Errorf("cluster still up after an interrupted run without --keep:\n%s", b)
	}
	t.Logf("interrupted after %d players; output:\n%s", run.Counters[results.Players], stdout.String())
}

func lines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	for s := bufio.NewScanner(f); s.Scan(); {
		n++
	}
	return n
}

// buildCommands builds loadgen and the stack's commands into a directory,
// run as a user runs them.
func buildCommands(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+"/", "github.com/fleetbench/fleetbench/cmd/loadgen",
		"github.com/fleetbench/fleetbench/cmd/roomserver", "github.com/fleetbench/fleetbench/cmd/matchmaker", "github.com/fleetbench/fleetbench/cmd/fleetd")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
