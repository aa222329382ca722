package hostile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Bounds every case must end within: a hang guard and a memory cap, not
// a performance figure (the cases take milliseconds).
const (
	caseDeadline = 5 * time.Second
	caseMemoryKB = 200 << 10
)

// Fixtures shared with the packages that own them.
const (
	smallScenario = "../../cmd/sim/testdata/small.yaml"
	modelRun      = "../../reports/testdata/node-loss.model.json"
	sweepFile     = "../../reports/testdata/small.sweep.json"
)

// bins holds the commands, built once for the package.
var bins string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fleetbench-hostile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", dir+"/", "github.com/fleetbench/fleetbench/cmd/sim",
		"github.com/fleetbench/fleetbench/cmd/report", "github.com/fleetbench/fleetbench/cmd/loadgen")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	bins = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hostileCase is one command line and what it must do. In args and
// files, $D is the case's own directory.
type hostileCase struct {
	name   string
	cmd    string // sim, report or loadgen
	args   []string
	files  map[string]string // written into $D first
	code   int
	says   string   // in stderr
	leaves []string // globs that must match nothing afterwards
	// signal, when set, is sent once the command has run for after.
	signal os.Signal
	after  time.Duration
	// setup prepares $D beyond files (FIFOs, symlinks); verify checks it
	// afterwards.
	setup, verify func(t *testing.T, dir string)
}

// outcome is what a case did.
type outcome struct {
	code           int
	stdout, stderr string
	wall, stopped  time.Duration // stopped: from the signal to the exit
	maxRSSKB       int64
}

func (c hostileCase) run(t *testing.T) outcome {
	t.Helper()
	dir := t.TempDir()
	expand := func(s string) string { return strings.ReplaceAll(s, "$D", dir) }
	for name, body := range c.files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(expand(body)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c.setup != nil {
		c.setup(t, dir)
	}
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = expand(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), caseDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bins, c.cmd), args...)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var signalled time.Time
	if c.signal != nil {
		time.Sleep(c.after)
		signalled = time.Now()
		if err := cmd.Process.Signal(c.signal); err != nil {
			t.Fatalf("signal: %v", err)
		}
	}
	err := cmd.Wait()
	o := outcome{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(started)}
	if !signalled.IsZero() {
		o.stopped = time.Since(signalled)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		o.maxRSSKB = ru.Maxrss
	}
	t.Logf("exit %d in %s, %d MB", o.code, o.wall.Round(time.Millisecond), o.maxRSSKB>>10)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("%s %v did not end within %s (killed): %v\nstderr: %s", c.cmd, args, caseDeadline, err, o.stderr)
	}
	if o.maxRSSKB > caseMemoryKB {
		t.Errorf("%s %v used %d MB of memory, more than %d", c.cmd, args, o.maxRSSKB>>10, caseMemoryKB>>10)
	}
	if o.code != c.code {
		t.Errorf("%s %v exited %d, want %d\nstderr: %s", c.cmd, args, o.code, c.code, o.stderr)
	}
	if says := expand(c.says); !strings.Contains(o.stderr, says) {
		t.Errorf("%s %v: stderr lacks %q:\n%s", c.cmd, args, says, o.stderr)
	}
	if strings.Contains(o.stderr, "goroutine ") && c.code != 3 {
		t.Errorf("%s %v printed a stack trace:\n%s", c.cmd, args, o.stderr)
	}
	for _, p := range c.leaves {
		if found, _ := filepath.Glob(expand(p)); len(found) > 0 {
			t.Errorf("%s %v left %v behind", c.cmd, args, found)
		}
	}
	if c.verify != nil {
		c.verify(t, dir)
	}
	return o
}

func runCases(t *testing.T, cases []hostileCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}
