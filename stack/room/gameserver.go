package room

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// GameServerPublisher publishes as an OpenKruiseGame game server does:
// the opsState on its GameServer's spec (kruise-game copies it to the
// pod's label, and its scaler counts by that label), the address on its
// own pod, where the matchmaker's view of the rooms reads it.
type GameServerPublisher struct {
	Pods           kubernetes.Interface
	GameServers    dynamic.Interface
	Namespace, Pod string
	// FindLimit bounds the wait for kruise-game to make the GameServer
	// (at the pod's creation, so normally long before the room starts);
	// 0 is 30 s.
	FindLimit time.Duration

	addressed atomic.Bool // the address annotation is on the pod
}

// Publish implements Publisher.
func (p *GameServerPublisher) Publish(ctx context.Context, state policy.OpsState, address string) error {
	return p.PublishIf(ctx, state, address, "")
}

// PublishIf implements Publisher: a merge patch of the GameServer's
// spec.opsState, refused (409) if the GameServer changed since version.
func (p *GameServerPublisher) PublishIf(ctx context.Context, state policy.OpsState, address, version string) error {
	if err := p.annotate(ctx, address); err != nil {
		return err
	}
	body := map[string]any{"spec": map[string]any{"opsState": state.String()}}
	if version != "" {
		body["metadata"] = map[string]any{"resourceVersion": version}
	}
	patch, _ := json.Marshal(body)
	err := p.find(ctx, func(ctx context.Context) error {
		_, err := p.gameServers().Patch(ctx, p.Pod, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "roomserver"})
		return err
	})
	if err != nil {
		return fmt.Errorf("patching gameserver %s/%s: %w", p.Namespace, p.Pod, err)
	}
	return nil
}

// annotate puts the address on the pod, once.
func (p *GameServerPublisher) annotate(ctx context.Context, address string) error {
	if p.addressed.Load() {
		return nil
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{wire.AddressAnnotation: address}}})
	if _, err := p.Pods.CoreV1().Pods(p.Namespace).Patch(ctx, p.Pod, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "roomserver"}); err != nil {
		return fmt.Errorf("patching pod %s/%s: %w", p.Namespace, p.Pod, err)
	}
	p.addressed.Store(true)
	return nil
}

// Observe implements Publisher: the GameServer's spec.opsState.
func (p *GameServerPublisher) Observe(ctx context.Context) (policy.OpsState, string, error) {
	var gs *unstructured.Unstructured
	err := p.find(ctx, func(ctx context.Context) (err error) {
		gs, err = p.gameServers().Get(ctx, p.Pod, metav1.GetOptions{})
		return err
	})
	if err != nil {
		return policy.None, "", err
	}
	s, _, _ := unstructured.NestedString(gs.Object, "spec", "opsState")
	state, _ := policy.ParseOpsState(s)
	return state, gs.GetResourceVersion(), nil
}

// Published implements Publisher: as PodPublisher, by the pod's address
// annotation (a GameServer is made afresh with its pod).
func (p *GameServerPublisher) Published(ctx context.Context) (bool, error) {
	return PodPublisher{Client: p.Pods, Namespace: p.Namespace, Pod: p.Pod}.Published(ctx)
}

func (p *GameServerPublisher) gameServers() dynamic.ResourceInterface {
	return p.GameServers.Resource(wire.GameServers).Namespace(p.Namespace)
}

// find runs call, retrying while the GameServer is not there yet.
func (p *GameServerPublisher) find(ctx context.Context, call func(context.Context) error) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, cmp.Or(p.FindLimit, 30*time.Second), true, func(ctx context.Context) (bool, error) {
		last = call(ctx)
		return !apierrors.IsNotFound(last), nil
	})
	if last != nil {
		return last
	}
	return err
}
