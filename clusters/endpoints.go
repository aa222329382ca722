package clusters

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// ReadyEndpoint resolves a Service to a Ready pod's IP and the target port
// of each Service port (by port name), the way the endpoints controller
// would. The local provider needs it because Kubernetes refuses loopback
// addresses in EndpointSlices, so its pods (on 127.x.y.z) never get any.
func ReadyEndpoint(svc *corev1.Service, pods []*corev1.Pod) (ip string, ports map[string]int32) {
	return endpoint(svc, pods, PodReady)
}

// StableEndpoint is the address a Service's clients are given when they
// start: a Ready pod's, else that of any live pod with an IP. A Service's
// ClusterIP does not move while its pod is down, so a client started
// meanwhile must still get the address it will answer on (a room server
// started while Redis was held down got none, fell back to its default
// address and never stored a tick).
func StableEndpoint(svc *corev1.Service, pods []*corev1.Pod) (ip string, ports map[string]int32) {
	if ip, ports := ReadyEndpoint(svc, pods); ip != "" {
		return ip, ports
	}
	return endpoint(svc, pods, func(*corev1.Pod) bool { return true })
}

func endpoint(svc *corev1.Service, pods []*corev1.Pod, ok func(*corev1.Pod) bool) (ip string, ports map[string]int32) {
	if len(svc.Spec.Selector) == 0 {
		return "", nil
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	for _, p := range pods {
		if p.Namespace != svc.Namespace || p.DeletionTimestamp != nil || p.Status.PodIP == "" || !ok(p) || !sel.Matches(labels.Set(p.Labels)) {
			continue
		}
		ports = map[string]int32{}
		for _, sp := range svc.Spec.Ports {
			if port, ok := targetPort(sp, p); ok {
				ports[sp.Name] = port
			}
		}
		return p.Status.PodIP, ports
	}
	return "", nil
}

func targetPort(sp corev1.ServicePort, p *corev1.Pod) (int32, bool) {
	tp := sp.TargetPort
	if tp.IntVal == 0 && tp.StrVal == "" {
		return sp.Port, true
	}
	if tp.StrVal == "" {
		return tp.IntVal, true
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == tp.StrVal {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// PodReady reports whether a pod's Ready condition is True.
func PodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
