package matchmaker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// Under OpenKruiseGame the allocator reads opsState from kruise-game's
// pod label and claims the room's GameServer, never the pod, with the
// test-and-set patch; a claim whose test fails (the API server's 422) is
// a conflict: the next free room is taken instead.
func TestClaimsGoToGameServers(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	client := fake.NewClientset()
	var objs []runtime.Object
	for i, state := range []string{"Allocated", "None"} { // room-000's pod label lags its GameServer
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
			"metadata": map[string]any{"name": fmt.Sprintf("room-%03d", i), "namespace": "default"},
			"spec":     map[string]any{"opsState": state},
		}})
	}
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{wire.GameServers: "GameServerList"}, objs...)
	// As the API server answers a JSON patch whose test fails.
	dyn.PrependReactor("patch", "gameservers", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.(k8stesting.PatchAction).GetName() == "room-000" {
			return true, nil, apierrors.NewGenericServerResponse(422, "patch", wire.GameServers.GroupResource(), "room-000", "test failed", 0, false)
		}
		return false, nil, nil
	})
	alloc := NewAllocator(client, "default", policy.Packed, slog.New(slog.DiscardHandler))
	alloc.ClaimGameServers(dyn)
	if err := alloc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	addRoom := func(i int) {
		t.Helper()
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name: fmt.Sprintf("room-%03d", i), Namespace: "default",
				Labels:      map[string]string{"app": "roomserver", wire.GameServerOpsStateLabel: "None", wire.VersionLabel: "v1"},
				Annotations: map[string]string{wire.AddressAnnotation: fmt.Sprintf("127.2.0.%d:7777", i+1)},
			},
			Spec:   corev1.PodSpec{NodeName: "n"},
			Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
		}
		if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 10*time.Second, pod.Name+" in the allocator's view", func() bool { return alloc.Serving(pod.Name) })
	}
	// room-000 alone: its claim fails the test, and nothing else is free.
	addRoom(0)
	if _, err := alloc.Allocate(ctx, "m0", false); !errors.Is(err, ErrNoRoom) || alloc.Conflicts() != 1 {
		t.Fatalf("room-000 only, its GameServer Allocated: %v after %d conflicts, want ErrNoRoom after 1", err, alloc.Conflicts())
	}
	addRoom(1)
	room, err := alloc.Allocate(ctx, "m1", false)
	if err != nil {
		t.Fatal(err)
	}
	if room.Name != "room-001" || room.Address != "127.2.0.2:7777" {
		t.Errorf("room %+v, want room-001", room)
	}
	gs, err := dyn.Resource(wire.GameServers).Namespace("default").Get(ctx, "room-001", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s, _, _ := unstructured.NestedString(gs.Object, "spec", "opsState"); s != "Allocated" {
		t.Errorf("room-001's GameServer is %q, want Allocated", s)
	}
	for _, a := range client.Actions() {
		if a.GetVerb() == "patch" {
			t.Errorf("the pod was patched (%v): claims go to GameServers", a)
		}
	}
}
