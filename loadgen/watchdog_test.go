package loadgen

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/clusters"
)

func stackPod(app string, restarts int32, annotations map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: app + "-0", Labels: map[string]string{"app": app}, Annotations: annotations},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: app, RestartCount: restarts,
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "Error"}}}}},
	}
}

func TestWatchdogStopsTheRunWhenTheStackDies(t *testing.T) {
	t.Parallel()
	ctx, abort := context.WithCancelCause(context.Background())
	w := newWatchdog(newClock(time.Now(), 60), abort, slog.New(slog.DiscardHandler))
	w.pod(nil, stackPod("matchmaker", 2, nil)) // first sight: earlier restarts are the deploy's
	w.pod(nil, stackPod("roomserver", 0, nil))
	w.pod(nil, stackPod("roomserver", 5, nil)) // rooms die on purpose
	w.pod(nil, stackPod("redis", 0, nil))
	hold := map[string]string{clusters.DownUntilAnnotation: time.Now().Add(time.Minute).Format(time.RFC3339Nano)}
	w.pod(nil, stackPod("redis", 1, hold)) // held down by the timeline
	w.pod(nil, stackPod("redis", 1, nil))  // back, its restart already seen
	w.pod(nil, stackPod("matchmaker", 2, nil))
	if ctx.Err() != nil {
		t.Fatalf("stopped without a death: %v", context.Cause(ctx))
	}
	long := map[string]string{clusters.DownUntilAnnotation: time.Now().Add(-time.Hour).Format(time.RFC3339Nano)}
	w.pod(nil, stackPod("redis", 2, long)) // a hold long over does not excuse a death
	if err := context.Cause(ctx); !errors.Is(err, ErrStackDied) || !strings.Contains(err.Error(), "redis") {
		t.Fatalf("redis died after its hold-down ended: cause %v", err)
	}
	ctx, abort = context.WithCancelCause(context.Background())
	w.abort = abort
	w.pod(nil, stackPod("matchmaker", 3, nil))
	err := context.Cause(ctx)
	if !errors.Is(err, ErrStackDied) || !strings.Contains(err.Error(), "matchmaker (pod matchmaker-0) died") || !strings.Contains(err.Error(), "exit code 137") {
		t.Fatalf("cause %v", err)
	}
}
