package runner

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// container is one container of a worker's pod and its current process.
type container struct {
	spec corev1.Container
	gen  int // incremented per start; stale exits and probes are ignored
	pid  int

	startedAt    metav1.Time
	ready        bool
	restarts     int
	failures     int    // consecutive failures to start
	waitReason   string // "" when running or terminated
	waitMessage  string
	backoffUntil time.Time

	terminated bool
	exitCode   int
	finishedAt metav1.Time

	probeCancel context.CancelFunc
}

func (c *container) running() bool { return c.pid != 0 }

// start runs container i in its own process group, in the pod's
// directory, with logs appended to PODDIR/NAME.log. A failure to start is
// retried with the crash-loop backoff, as kubelet retries.
func (w *worker) start(ctx context.Context, i int, log *slog.Logger) {
	c := w.containers[i]
	c.gen++
	c.backoffUntil = time.Time{}
	defer func() {
		if !c.running() {
			c.failures++
			c.backoffUntil = time.Now().Add(backoff(c.failures))
		}
	}()
	argv, env, err := w.prepare(ctx, c)
	if err != nil {
		log.Warn("container not started", "container", c.spec.Name, "err", err)
		return
	}
	logFile, err := os.OpenFile(filepath.Join(w.dir, c.spec.Name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		errorf(c, "log file: %v", err)
		return
	}
	defer logFile.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = w.dir, env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		errorf(c, "start %s: %v", argv[0], err)
		return
	}
	c.pid, c.startedAt, c.failures = cmd.Process.Pid, metav1.Now(), 0
	c.waitReason, c.waitMessage, c.ready = "", "", false
	pidFile := filepath.Join(w.dir, c.spec.Name+".pid")
	if err := writePIDFile(pidFile, c.pid); err != nil {
		log.Warn("pid file", "container", c.spec.Name, "err", err)
	}
	gen := c.gen
	go func() {
		code := 0
		if err := cmd.Wait(); err != nil {
			code = exitCode(err)
		}
		os.Remove(pidFile)
		select {
		case w.exits <- exit{i: i, gen: gen, code: code}:
		case <-w.done:
		}
	}()
	pctx, cancel := context.WithCancel(ctx)
	c.probeCancel = cancel
	if c.spec.ReadinessProbe == nil {
		c.ready = true
	} else {
		go w.probeLoop(pctx, i, gen, c.spec)
	}
}

// exited records the end of the current process.
func (c *container) exited(code int) {
	c.pid, c.ready, c.terminated, c.exitCode, c.finishedAt = 0, false, true, code, metav1.Now()
	if c.probeCancel != nil {
		c.probeCancel()
	}
}

func (c *container) signal(sig syscall.Signal) {
	if c.pid != 0 {
		_ = syscall.Kill(-c.pid, sig)
	}
}

func exitCode(err error) int {
	ee, ok := err.(*exec.ExitError)
	if !ok {
		return 128
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}
