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
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"labels":      map[string]string{wire.OpsStateLabel: state.String()},
		"annotations": map[string]string{wire.AddressAnnotation: address},
	}})
	_, err := p.Client.CoreV1().Pods(p.Namespace).Patch(ctx, p.Pod, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "roomserver"})
	if err != nil {
		return fmt.Errorf("patching pod %s/%s: %w", p.Namespace, p.Pod, err)
	}
	return nil
}

// NopPublisher publishes nothing: a room server outside Kubernetes.
type NopPublisher struct{}

// Publish implements Publisher.
func (NopPublisher) Publish(context.Context, policy.OpsState, string) error { return nil }
