package runner

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/testkit"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// shellPod runs script under /bin/sh as image "shell".
func shellPod(script string) *corev1.Pod {
	no := false
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", UID: "0123456789abcdef"},
		Spec: corev1.PodSpec{
			NodeName:                     "n1",
			AutomountServiceAccountToken: &no,
			Containers: []corev1.Container{{
				Name: "c", Image: "shell:1", Args: []string{script},
				Env: []corev1.EnvVar{
					{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
					{Name: "GREETING", Value: "hi $(POD_IP)"},
				},
			}},
		},
	}
}

func testRunner(t *testing.T, pod *corev1.Pod) (*Runner, *fake.Clientset) {
	t.Helper()
	client := fake.NewClientset(pod)
	cfg := Config{PodsDir: t.TempDir(), Images: map[string][]string{"shell": {"/bin/sh", "-c"}}, TimeScale: 1}
	return newRunner(cfg, slog.New(slog.DiscardHandler), client), client
}

func podStatus(t *testing.T, client *fake.Clientset) (*corev1.Pod, bool) {
	t.Helper()
	p, err := client.CoreV1().Pods("default").Get(context.Background(), "p", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return p, true
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, what, cond)
}

func running(p *corev1.Pod) bool {
	return p != nil && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Running != nil
}

func TestWorkerDelaysStartAndStopsGracefully(t *testing.T) {
	markers := t.TempDir()
	// The trap is set before the env file appears: the test signals only then.
	script := `trap 'echo term > ` + markers + `/term; exit 0' TERM; echo "$POD_IP|$GREETING|$HOSTNAME" > ` + markers + `/env; while :; do sleep 0.05; done`
	pod := shellPod(script)
	r, client := testRunner(t, pod)
	const delay = 300 * time.Millisecond
	w := newWorker(r, pod, delay)
	start := time.Now()
	go w.run()
	eventually(t, "env file", func() bool { _, err := os.Stat(filepath.Join(markers, "env")); return err == nil })
	if el := time.Since(start); el < delay {
		t.Errorf("process started after %s, before the %s startup delay", el, delay)
	}
	eventually(t, "Running status", func() bool { p, _ := podStatus(t, client); return running(p) })
	p, _ := podStatus(t, client)
	env, _ := os.ReadFile(filepath.Join(markers, "env"))
	want := p.Status.PodIP + "|hi " + p.Status.PodIP + "|p\n"
	if !strings.HasPrefix(p.Status.PodIP, "127.1.") || string(env) != want {
		t.Errorf("pod IP %q, env %q; want a 127.1.x.y IP and %q", p.Status.PodIP, env, want)
	}
	w.terminate(5 * time.Second)
	<-w.done
	if b, err := os.ReadFile(filepath.Join(markers, "term")); err != nil || string(b) != "term\n" {
		t.Errorf("no SIGTERM seen by the process: %v", err)
	}
	if _, ok := podStatus(t, client); ok {
		t.Error("pod object not finalized after the process stopped")
	}
}

func TestWorkerKillsAfterGracePeriod(t *testing.T) {
	markers := t.TempDir()
	pod := shellPod(`trap '' TERM; touch ` + markers + `/trapped; while :; do sleep 0.05; done`)
	r, client := testRunner(t, pod)
	w := newWorker(r, pod, 0)
	go w.run()
	eventually(t, "the TERM trap", func() bool { _, err := os.Stat(filepath.Join(markers, "trapped")); return err == nil })
	start := time.Now()
	w.terminate(300 * time.Millisecond)
	<-w.done
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Errorf("stopped after %s: a process ignoring SIGTERM must get the whole grace period", el)
	}
	if _, ok := podStatus(t, client); ok {
		t.Error("pod object not finalized after SIGKILL")
	}
}

func TestWorkerReportsMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	pod := shellPod("")
	pod.Spec.Containers[0].Image = "redis:7"
	r, client := testRunner(t, pod)
	w := newWorker(r, pod, 0)
	go w.run()
	defer func() { w.kill("test over"); <-w.done }()
	eventually(t, "a waiting reason", func() bool {
		p, _ := podStatus(t, client)
		return p != nil && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Waiting != nil &&
			p.Status.ContainerStatuses[0].State.Waiting.Reason == "CreateContainerError"
	})
	p, _ := podStatus(t, client)
	msg := p.Status.ContainerStatuses[0].State.Waiting.Message
	if !strings.Contains(msg, "redis-server") || !strings.Contains(msg, "PATH") {
		t.Errorf("waiting message %q should name redis-server and PATH", msg)
	}
}

func TestWorkerRestartsCrashedContainer(t *testing.T) {
	pod := shellPod(`exit 3`)
	r, client := testRunner(t, pod)
	w := newWorker(r, pod, 0)
	go w.run()
	defer func() { w.kill("test over"); <-w.done }()
	eventually(t, "a restart", func() bool {
		p, _ := podStatus(t, client)
		return p != nil && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].RestartCount >= 1
	})
}

func TestWorkerRetriesAFailedStart(t *testing.T) {
	dir := t.TempDir()
	pod := shellPod("")
	pod.Spec.Containers[0].Image = "late"
	r, client := testRunner(t, pod)
	script := filepath.Join(dir, "late.sh")
	r.cfg.Images["late"] = []string{script}
	w := newWorker(r, pod, 0)
	go w.run()
	defer func() { w.kill("test over"); <-w.done }()
	eventually(t, "the first start to fail", func() bool {
		p, _ := podStatus(t, client)
		return p != nil && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Waiting != nil
	})
	// The binary appears (an image pulled late): the retry starts it.
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Running after the retry", func() bool { p, _ := podStatus(t, client); return running(p) })
}

// TestWorkerHoldsDown: a hold-down (a Redis restart with downtime) kills
// the process and starts it again no sooner than the time asked, in the
// same pod.
func TestWorkerHoldsDown(t *testing.T) {
	w, client, starts := runningMarker(t)
	until := time.Now().Add(1500 * time.Millisecond)
	w.holdDown(until)
	eventually(t, "a second start", func() bool { return starts() >= 2 })
	if now := time.Now(); now.Before(until) {
		t.Errorf("restarted %v before the hold ended", until.Sub(now))
	}
	eventually(t, "Running again", func() bool { p, _ := podStatus(t, client); return running(p) })
}

// TestWorkerHoldsDownLate: a hold the loop takes up only after it ended
// (a busy loop on a loaded machine) still restarts the processes; it was
// dropped, and the restart lost.
func TestWorkerHoldsDownLate(t *testing.T) {
	w, _, starts := runningMarker(t)
	w.holdDown(time.Now().Add(-time.Millisecond))
	eventually(t, "a second start", func() bool { return starts() >= 2 })
}

// runningMarker runs a pod whose process appends a line to a file each
// time it starts; starts counts them. The worker is killed when the test
// ends.
func runningMarker(t *testing.T) (w *worker, client *fake.Clientset, starts func() int) {
	t.Helper()
	marks := filepath.Join(t.TempDir(), "starts")
	pod := shellPod(`date +%s.%N >> ` + marks + `; exec sleep 30`)
	r, client := testRunner(t, pod)
	w = newWorker(r, pod, 0)
	go w.run()
	t.Cleanup(func() { w.kill("test over"); <-w.done })
	starts = func() int {
		data, _ := os.ReadFile(marks)
		return strings.Count(string(data), "\n")
	}
	eventually(t, "Running", func() bool { p, _ := podStatus(t, client); return running(p) })
	// Running is reported once the process exists, maybe before its shell
	// wrote the mark: a hold-down that killed it then left one mark after
	// the restart, and the test waited for a second that never came.
	eventually(t, "the first start's mark", func() bool { return starts() >= 1 })
	return w, client, starts
}
