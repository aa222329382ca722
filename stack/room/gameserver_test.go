package room

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// The GameServer publisher writes opsState where OpenKruiseGame keeps
// it (the GameServer's spec) and the address on the pod, and its
// conditional write names the version it read.
func TestGameServerPublisherWritesTheGameServer(t *testing.T) {
	ctx := context.Background()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "rooms-0", Namespace: "ns"}}
	gs := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
		"metadata": map[string]any{"name": "rooms-0", "namespace": "ns", "resourceVersion": "7"},
		"spec":     map[string]any{"opsState": "None"},
	}}
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{wire.GameServers: "GameServerList"}, gs)
	p := &GameServerPublisher{Pods: fake.NewClientset(pod), GameServers: dyn, Namespace: "ns", Pod: "rooms-0"}

	if published, err := p.Published(ctx); err != nil || published {
		t.Fatalf("Published before any publish: %v, %v", published, err)
	}
	if err := p.Publish(ctx, policy.None, "10.0.0.1:7777"); err != nil {
		t.Fatal(err)
	}
	got, _ := p.Pods.CoreV1().Pods("ns").Get(ctx, "rooms-0", metav1.GetOptions{})
	if got.Annotations[wire.AddressAnnotation] != "10.0.0.1:7777" {
		t.Errorf("pod annotations %v: no address", got.Annotations)
	}
	if published, _ := p.Published(ctx); !published {
		t.Error("Published false after a publish")
	}
	state, version, err := p.Observe(ctx)
	if err != nil || state != policy.None {
		t.Fatalf("Observe: %s, %v", state, err)
	}
	// The conditional write carries the version it read (the API server
	// refuses it with 409 if the GameServer changed since).
	if err := p.PublishIf(ctx, policy.WaitToBeDeleted, "10.0.0.1:7777", version); err != nil {
		t.Fatal(err)
	}
	acts := dyn.Actions()
	patch, ok := acts[len(acts)-1].(k8stesting.PatchAction)
	if !ok || !strings.Contains(string(patch.GetPatch()), `"resourceVersion":"`+version+`"`) {
		t.Errorf("last action %v: want a patch at resourceVersion %q", acts[len(acts)-1], version)
	}
	if state, _, _ := p.Observe(ctx); state != policy.WaitToBeDeleted {
		t.Errorf("opsState %s, want WaitToBeDeleted", state)
	}
}
