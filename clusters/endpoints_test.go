package clusters

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func redisPod(ip string, ready bool) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "redis-" + ip, Labels: map[string]string{"app": "redis"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Ports: []corev1.ContainerPort{{Name: "redis", ContainerPort: 6379}}}}},
		Status:     corev1.PodStatus{PodIP: ip, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

// TestStableEndpointWhileThePodIsDown: a Service whose only pod is not
// Ready (Redis held down) has no Ready endpoint, but a client started
// then still gets the pod's address; a Ready pod is preferred.
func TestStableEndpointWhileThePodIsDown(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "redis"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "redis"},
			Ports: []corev1.ServicePort{{Name: "redis", Port: 6379, TargetPort: intstr.FromString("redis")}}}}
	down := []*corev1.Pod{redisPod("127.1.0.1", false)}
	if ip, _ := ReadyEndpoint(svc, down); ip != "" {
		t.Errorf("ReadyEndpoint of a pod not Ready = %q, want none", ip)
	}
	if ip, ports := StableEndpoint(svc, down); ip != "127.1.0.1" || ports["redis"] != 6379 {
		t.Errorf("StableEndpoint = %q %v, want 127.1.0.1 redis:6379", ip, ports)
	}
	both := []*corev1.Pod{redisPod("127.1.0.1", false), redisPod("127.1.0.2", true)}
	if ip, _ := StableEndpoint(svc, both); ip != "127.1.0.2" {
		t.Errorf("StableEndpoint = %q, want the Ready pod 127.1.0.2", ip)
	}
	if ip, _ := StableEndpoint(svc, nil); ip != "" {
		t.Errorf("StableEndpoint without pods = %q, want none", ip)
	}
}
