package runner

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// worker realizes one pod: kubelet's sync loop for that pod, in one
// goroutine that owns all its state; other goroutines only signal it.
type worker struct {
	r                *Runner
	uid              types.UID
	ns, name, node   string
	pod              *corev1.Pod // as first seen; a pod's spec does not change
	delay            time.Duration
	dir              string
	ip               netip.Addr
	started          metav1.Time
	containers       []*container
	phase            corev1.PodPhase
	podReadyToStart  bool
	lastStatusUpdate error

	once     sync.Once
	termCh   chan time.Duration // grace period; buffered, first send wins
	killOnce sync.Once
	killCh   chan string // why
	// downCh asks to kill the processes and hold their restart until a
	// time; heldUntil is the last such time honoured (the loop's alone).
	downCh    chan time.Time
	heldUntil time.Time
	exits     chan exit
	probes    chan probeResult
	done      chan struct{} // closed when run returns: senders stop waiting
}

type exit struct {
	i    int
	gen  int // the start this exit belongs to
	code int
}

func newWorker(r *Runner, pod *corev1.Pod, delay time.Duration) *worker {
	w := &worker{
		r: r, uid: pod.UID, ns: pod.Namespace, name: pod.Name, node: pod.Spec.NodeName, pod: pod.DeepCopy(),
		delay:  delay,
		dir:    filepath.Join(r.cfg.PodsDir, pod.Namespace+"_"+pod.Name+"_"+string(pod.UID)[:8]),
		phase:  corev1.PodPending,
		termCh: make(chan time.Duration, 1), killCh: make(chan string, 1), downCh: make(chan time.Time, 1),
		exits: make(chan exit, 8), probes: make(chan probeResult, 8), done: make(chan struct{}),
	}
	for _, c := range pod.Spec.Containers {
		w.containers = append(w.containers, &container{spec: c, waitReason: "ContainerCreating"})
	}
	return w
}

// terminate asks for a graceful stop (SIGTERM, grace, SIGKILL, finalize).
func (w *worker) terminate(grace time.Duration) {
	w.once.Do(func() { w.termCh <- grace })
}

// holdDown asks for the processes to be killed and held down until
// `until` (repeated annotations of the same time are taken once).
func (w *worker) holdDown(until time.Time) {
	select {
	case w.downCh <- until:
	case <-w.done:
	default: // a request is already queued; the loop takes the newest pod state next time
	}
}

// kill stops the processes at once and reports nothing: the pod or its
// node is gone, or the runner is shutting down.
func (w *worker) kill(why string) {
	w.killOnce.Do(func() { w.killCh <- why })
}

func (w *worker) run() {
	log := w.r.log.With("pod", w.ns+"/"+w.name, "node", w.node)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer close(w.done)
	var err error
	if w.ip, err = w.r.ips.alloc(); err != nil {
		log.Error("pod not started", "err", err)
		return
	}
	defer w.r.ips.release(w.ip)
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		log.Error("pod not started", "err", err)
		return
	}
	w.started = metav1.Now()
	w.podReadyToStart = true
	w.report(ctx)

	// Image pull and container creation, as the scenario's pod startup.
	select {
	case <-w.termCh: // deleted before it started: nothing to stop
		w.finalize(ctx, log)
		return
	case why := <-w.killCh:
		log.Info("pod killed before start", "why", why)
		return
	case <-time.After(w.delay):
	}
	for i := range w.containers {
		w.start(ctx, i, log)
	}
	w.report(ctx)
	w.loop(ctx, log)
}

// nextRetry is the earliest pending restart or start retry (zero: none).
func (w *worker) nextRetry() time.Time {
	var next time.Time
	for _, c := range w.containers {
		if !c.running() && !c.backoffUntil.IsZero() && (next.IsZero() || c.backoffUntil.Before(next)) {
			next = c.backoffUntil
		}
	}
	return next
}

// loop reacts to exits, probe results and stop requests until the pod
// is finished.
func (w *worker) loop(ctx context.Context, log *slog.Logger) {
	restart := time.NewTimer(time.Hour)
	restart.Stop()
	arm := func() {
		if next := w.nextRetry(); !next.IsZero() {
			restart.Reset(time.Until(next))
		}
	}
	arm()
	for {
		select {
		case e := <-w.exits:
			c := w.containers[e.i]
			if e.gen != c.gen {
				continue
			}
			c.exited(e.code)
			if w.restartable(c) {
				c.restarts++
				c.waitReason = "CrashLoopBackOff"
				c.backoffUntil = time.Now().Add(backoff(c.restarts))
				if w.heldUntil.After(c.backoffUntil) {
					c.backoffUntil = w.heldUntil
				}
				arm()
				log.Warn("container exited; restarting", "container", c.spec.Name, "code", e.code, "restarts", c.restarts)
			}
			w.updatePhase()
			w.report(ctx)
			if w.phase == corev1.PodSucceeded || w.phase == corev1.PodFailed {
				return
			}
		case <-restart.C:
			for i, c := range w.containers {
				if !c.running() && !c.backoffUntil.IsZero() && !time.Now().Before(c.backoffUntil) {
					w.start(ctx, i, log)
				}
			}
			arm()
			w.report(ctx)
		case p := <-w.probes:
			c := w.containers[p.i]
			if p.gen == c.gen && c.running() && c.ready != p.ready {
				c.ready = p.ready
				w.report(ctx)
			}
		case until := <-w.downCh:
			// The same hold comes with every update of the pod; one that ended
			// before this worker started is an old annotation. A hold that
			// ended while the loop was busy (a loaded machine) still restarts
			// the processes, at once: dropping it lost the restart.
			if until.Equal(w.heldUntil) || until.Before(w.started.Time) {
				continue
			}
			w.heldUntil = until
			log.Info("held down", "until", until)
			w.signalAll(syscall.SIGKILL) // each exit restarts at heldUntil
		case grace := <-w.termCh:
			w.stop(grace, log)
			w.finalize(ctx, log)
			return
		case why := <-w.killCh:
			w.signalAll(syscall.SIGKILL)
			w.waitAll(5 * time.Second)
			log.Info("pod processes killed", "why", why)
			return
		}
	}
}

// stop is kubelet's graceful termination: SIGTERM, wait the grace
// period, SIGKILL whatever is left.
func (w *worker) stop(grace time.Duration, log *slog.Logger) {
	w.signalAll(syscall.SIGTERM)
	if !w.waitAll(grace) {
		log.Info("grace period over; SIGKILL", "grace", grace)
		w.signalAll(syscall.SIGKILL)
		w.waitAll(5 * time.Second)
	}
}

// finalize deletes the pod object once its processes are gone, as kubelet
// does with a zero grace period and the pod's UID as precondition.
func (w *worker) finalize(ctx context.Context, log *slog.Logger) {
	zero := int64(0)
	err := w.r.client.CoreV1().Pods(w.ns).Delete(ctx, w.name, metav1.DeleteOptions{
		GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &w.uid},
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		log.Warn("finalizing pod", "err", err)
	}
}

func (w *worker) signalAll(sig syscall.Signal) {
	for _, c := range w.containers {
		c.signal(sig)
	}
}

// waitAll waits for every running process to exit, consuming exits.
func (w *worker) waitAll(within time.Duration) bool {
	deadline := time.After(within)
	for w.anyRunning() {
		select {
		case e := <-w.exits:
			if c := w.containers[e.i]; e.gen == c.gen {
				c.exited(e.code)
			}
		case <-deadline:
			return false
		}
	}
	return true
}

func (w *worker) anyRunning() bool {
	for _, c := range w.containers {
		if c.running() {
			return true
		}
	}
	return false
}

func (w *worker) restartable(c *container) bool {
	switch w.pod.Spec.RestartPolicy {
	case corev1.RestartPolicyNever:
		return false
	case corev1.RestartPolicyOnFailure:
		return c.exitCode != 0
	}
	return true
}

// backoff is kubelet's crash-loop delay, scaled down (1 s doubling to 30 s
// rather than 10 s to 5 min) so short load tests see restarts happen.
func backoff(restarts int) time.Duration {
	d := time.Second << min(restarts-1, 5)
	return min(d, 30*time.Second)
}

func (w *worker) updatePhase() {
	allDone, anyFailed := true, false
	for _, c := range w.containers {
		if c.running() || c.waitReason != "" {
			allDone = false
		}
		if c.terminated && c.exitCode != 0 {
			anyFailed = true
		}
	}
	switch {
	case !allDone:
		w.phase = corev1.PodRunning
	case anyFailed:
		w.phase = corev1.PodFailed
	default:
		w.phase = corev1.PodSucceeded
	}
}

func (w *worker) String() string { return w.ns + "/" + w.name }

// errorf is a start failure shown in the container's waiting message.
func errorf(c *container, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	c.waitReason, c.waitMessage = "CreateContainerError", err.Error()
	return err
}
