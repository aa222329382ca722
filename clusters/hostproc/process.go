// Package hostproc runs a cluster's components as detached processes of
// this machine (the local provider's control plane, Karpenter on kind):
// started in their own process group with a log file, recorded so that a
// later invocation stops them by PID.
package hostproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fleetbench/fleetbench/internal/proc"
)

// Process is a component the provider started: recorded in the state file
// so that `down` from another invocation can stop it by PID.
type Process struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
	// StartTicks is the process start time from /proc/PID/stat: it tells
	// our process from an unrelated one that later got the same PID.
	StartTicks uint64 `json:"startTicks"`
	Log        string `json:"log"`
	// Ports the component listens on (127.0.0.1), checked free after down.
	Ports []int `json:"ports,omitempty"`

	exited chan struct{} // closed when the process ends (starter only)
	err    error         // its exit status once exited is closed
}

// Start runs a component detached in its own process group (a
// Ctrl-C on the terminal must not reach it; `down` stops it), with
// stdout and stderr in logDir/NAME.log.
func Start(name, logDir string, argv, env []string, ports ...int) (*Process, error) {
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: log file: %w", name, err)
	}
	defer logFile.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", name, argv[0], err)
	}
	p := &Process{Name: name, PID: cmd.Process.Pid, Log: logPath, Ports: ports, exited: make(chan struct{})}
	p.StartTicks, _ = proc.StartTicks(p.PID)
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// WaitReady polls check until it succeeds, the process exits, or timeout.
// Errors name the component and its log, with the log's last lines.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		last = check(cctx)
		ccancel()
		if last == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready (%v); log %s:\n%s", p.Name, p.err, p.Log, Tail(p.Log, 15))
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%s not ready after %s (last check: %v); log %s:\n%s", p.Name, timeout, last, p.Log, Tail(p.Log, 15))
			}
			return fmt.Errorf("%s: %w", p.Name, ctx.Err())
		case <-tick.C:
		}
	}
}

// Alive reports whether the recorded process still runs (and is ours).
func (p Process) Alive() bool { return proc.Alive(p.PID, p.StartTicks) }

// Stop sends SIGTERM to the process group, waits up to grace, then
// SIGKILLs what is left. Stopping a process that is gone is not an error.
func (p Process) Stop(grace time.Duration) error {
	if !p.Alive() {
		return nil
	}
	_ = syscall.Kill(-p.PID, syscall.SIGTERM)
	if proc.WaitGone(p.PID, p.StartTicks, grace) {
		return nil
	}
	_ = syscall.Kill(-p.PID, syscall.SIGKILL)
	if proc.WaitGone(p.PID, p.StartTicks, 2*time.Second) {
		return nil
	}
	return fmt.Errorf("%s (pid %d) survived SIGKILL", p.Name, p.PID)
}

// Tail returns the last n lines of a log, for error messages.
func Tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// FreePorts reserves n distinct loopback ports by binding them at once,
// then releases them for the components to take.
func FreePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free loopback port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
