package runner

import (
	"context"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// hostIP is every kwok node's address: the pods' processes share this host.
const hostIP = "127.0.0.1"

// report writes the pod's status as the worker sees it. A pod that is gone
// needs no status; other failures are logged once and retried on the
// next change, as kubelet's status manager does.
func (w *worker) report(ctx context.Context) {
	pods := w.r.client.CoreV1().Pods(w.ns)
	attempt := 0
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		attempt++
		pod, err := w.r.cachedPod(w.ns, w.name)
		if attempt > 1 || pod == nil {
			pod, err = pods.Get(ctx, w.name, metav1.GetOptions{})
		}
		if err != nil {
			return err
		}
		if pod.UID != w.uid {
			return nil // a new pod with the same name; ours is gone
		}
		w.fill(&pod.Status)
		_, err = pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		return err
	})
	if err != nil && !apierrors.IsNotFound(err) && (w.lastStatusUpdate == nil || w.lastStatusUpdate.Error() != err.Error()) {
		w.r.log.Warn("pod status update", "pod", w.String(), "err", err)
	}
	w.lastStatusUpdate = err
}

// fill sets the fields kubelet owns, keeping transition times of
// conditions that did not change.
func (w *worker) fill(st *corev1.PodStatus) {
	allReady, anyStarted := true, false
	st.ContainerStatuses = st.ContainerStatuses[:0]
	for _, c := range w.containers {
		cs := corev1.ContainerStatus{
			Name: c.spec.Name, Image: c.spec.Image, ImageID: "fleetbench-runner://" + imageName(c.spec.Image),
			Ready: c.ready, RestartCount: int32(c.restarts),
		}
		started := c.running()
		cs.Started = &started
		switch {
		case c.running():
			anyStarted = true
			cs.ContainerID = "process://" + strconv.Itoa(c.pid)
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: c.startedAt}
		case c.waitReason != "":
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: c.waitReason, Message: c.waitMessage}
		case c.terminated:
			cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: int32(c.exitCode), StartedAt: c.startedAt, FinishedAt: c.finishedAt, Reason: reason(c.exitCode)}
		}
		if c.terminated && c.running() {
			cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: int32(c.exitCode), FinishedAt: c.finishedAt, Reason: reason(c.exitCode)}
		}
		allReady = allReady && c.ready
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	if anyStarted && w.phase == corev1.PodPending {
		w.phase = corev1.PodRunning
	}
	st.Phase = w.phase
	st.HostIP, st.HostIPs = hostIP, []corev1.HostIP{{IP: hostIP}}
	st.PodIP, st.PodIPs = w.ip.String(), []corev1.PodIP{{IP: w.ip.String()}}
	st.StartTime = &w.started
	ready := allReady && w.phase == corev1.PodRunning
	setCondition(st, corev1.PodReadyToStartContainers, w.podReadyToStart)
	setCondition(st, corev1.PodInitialized, true)
	setCondition(st, corev1.ContainersReady, ready)
	setCondition(st, corev1.PodReady, ready)
}

func setCondition(st *corev1.PodStatus, t corev1.PodConditionType, ok bool) {
	status := corev1.ConditionFalse
	if ok {
		status = corev1.ConditionTrue
	}
	for i := range st.Conditions {
		if c := &st.Conditions[i]; c.Type == t {
			if c.Status != status {
				c.Status, c.LastTransitionTime = status, metav1.Now()
			}
			return
		}
	}
	st.Conditions = append(st.Conditions, corev1.PodCondition{Type: t, Status: status, LastTransitionTime: metav1.Now()})
}

func reason(code int) string {
	switch {
	case code == 0:
		return "Completed"
	case code == 137:
		return "Killed"
	}
	return "Error"
}

// cachedPod is the informer's copy of a pod, which saves a GET per status
// update; a stale copy costs one conflict and a fresh GET.
func (r *Runner) cachedPod(ns, name string) (*corev1.Pod, error) {
	if r.podCache == nil {
		return nil, nil
	}
	obj, ok, err := r.podCache.GetByKey(ns + "/" + name)
	if err != nil || !ok {
		return nil, err
	}
	return obj.(*corev1.Pod).DeepCopy(), nil
}
