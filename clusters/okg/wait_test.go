package okg

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"
)

// TestControllerThatNeverStartsIsNamedWithItsPod: the error names the
// deployment, its pod and why the pod waits.
func TestControllerThatNeverStartsIsNamedWithItsPod(t *testing.T) {
	labels := map[string]string{"app": "keda-operator"}
	client := fake.NewClientset(
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "keda-operator", Namespace: "keda"},
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "keda-operator-x1", Namespace: "keda", Labels: labels},
			Status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImageNeverPull", Message: "image not present"}}}}}},
	)
	d := &unstructured.Unstructured{}
	d.SetNamespace("keda")
	d.SetName("keda-operator")
	err := waitAvailable(context.Background(), client, d, 1500*time.Millisecond)
	if err == nil {
		t.Fatal("a deployment that never turns Available was waited for without error")
	}
	for _, want := range []string{"keda/keda-operator", "keda-operator-x1", "ErrImageNeverPull"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
