package room

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// PodPublisher publishes on the room server's own pod: the opsState label
// (which the matchmaker and fleetd select on) and the address annotation.
type PodPublisher struct {
	Client         kubernetes.Interface
	Namespace, Pod string
}

// Publish implements Publisher with a merge patch of labels and annotations.
func (p PodPublisher) Publish(ctx context.Context, state policy.OpsState, address string) error {
	return p.PublishIf(ctx, state, address, "")
}

// PublishIf implements Publisher: a merge patch carrying resourceVersion
// is refused (409) if the pod changed since that version.
func (p PodPublisher) PublishIf(ctx context.Context, state policy.OpsState, address, version string) error {
	meta := map[string]any{
		"labels":      map[string]string{wire.OpsStateLabel: state.String()},
		"annotations": map[string]string{wire.AddressAnnotation: address},
	}
	if version != "" {
		meta["resourceVersion"] = version
	}
	patch, _ := json.Marshal(map[string]any{"metadata": meta})
	_, err := p.Client.CoreV1().Pods(p.Namespace).Patch(ctx, p.Pod, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "roomserver"})
	if err != nil {
		return fmt.Errorf("patching pod %s/%s: %w", p.Namespace, p.Pod, err)
	}
	return nil
}

// Observe implements Publisher.
func (p PodPublisher) Observe(ctx context.Context) (policy.OpsState, string, error) {
	pod, err := p.Client.CoreV1().Pods(p.Namespace).Get(ctx, p.Pod, metav1.GetOptions{})
	if err != nil {
		return policy.None, "", err
	}
	state, _ := policy.ParseOpsState(pod.Labels[wire.OpsStateLabel])
	return state, pod.ResourceVersion, nil
}

// Published implements Publisher: the address annotation is set by a
// room server's first publish and by nothing else.
func (p PodPublisher) Published(ctx context.Context) (bool, error) {
	pod, err := p.Client.CoreV1().Pods(p.Namespace).Get(ctx, p.Pod, metav1.GetOptions{})
	if err != nil {
		return false, err
	}
	_, ok := pod.Annotations[wire.AddressAnnotation]
	return ok, nil
}

// NopPublisher publishes nothing: a room server outside Kubernetes.
type NopPublisher struct{}

// Publish implements Publisher.
func (NopPublisher) Publish(context.Context, policy.OpsState, string) error { return nil }

// PublishIf implements Publisher.
func (NopPublisher) PublishIf(context.Context, policy.OpsState, string, string) error { return nil }

// Observe implements Publisher: outside Kubernetes nobody allocates.
func (NopPublisher) Observe(context.Context) (policy.OpsState, string, error) {
	return policy.None, "", nil
}

// Published implements Publisher: outside Kubernetes nothing persists.
func (NopPublisher) Published(context.Context) (bool, error) { return false, nil }
