//go:build okg

package okg_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind"
	"github.com/fleetbench/fleetbench/emit"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

var (
	gssResource = schema.GroupVersionResource{Group: "game.kruise.io", Version: "v1alpha1", Resource: "gameserversets"}
	gsResource  = schema.GroupVersionResource{Group: "game.kruise.io", Version: "v1alpha1", Resource: "gameservers"}
	soResource  = schema.GroupVersionResource{Group: "keda.sh", Version: "v1alpha1", Resource: "scaledobjects"}
)

// ns is where the test's rooms run.
const ns = "okg-e2e"

// TestEmittedManifestsOnRealOKG: on kind with OpenKruise, kruise-game and
// KEDA installed, the manifests `sim plan --emit okg` writes for a plan
// of 10 idle rooms keep 10, and the real HPA answers as upstream's
// algorithm says (kruise-game's scaler asks for replicas + minAvailable −
// None; the HPA keeps the replicas while ask/replicas is within its
// tolerance, both ends included):
//   - emitted behaviour (tolerance 0): 1 room allocated → ask 11 → 11;
//   - Kubernetes' default behaviour (tolerance 10%): 1 more allocated →
//     ask 12, 12/11 = 1.09 → stays 11 for four HPA syncs; 1 more → ask 13,
//     13/11 = 1.18 → 13;
//   - emitted again: 1 more allocated and the 3 Allocated before it
//     recycled (WaitToBeDeleted) → 9 None < 10, so the scaler asks 13 + 10 − 9 = 14
//     and keeps the recycled; with the new room None, 14 − 3 = 11, and
//     the GameServerSet deletes the recycled first;
//   - a 60 s scale-down window: 2 allocated → 13; those 3 recycled → ask
//     10, held at 13 for the window (the last 13 recommended at most 15 s
//     before the recycling, so at least 45 s after it), then 10.
func TestEmittedManifestsOnRealOKG(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a kind cluster with OpenKruiseGame")
	}
	spec := clusters.DefaultSpec()
	spec.Name = fmt.Sprintf("fbokg-%d", os.Getpid())
	spec.Controller = clusters.ControllerOKG
	spec.Nodes = clusters.NodePool{PodsPerNode: 20, Min: 1, Max: 1, Initial: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	_, kubeconfig := upWithOKG(ctx, t, spec)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(cfg)
	if err := clusters.ApplyObjects(ctx, cfg, roomsManifests(t)); err != nil {
		t.Fatal(err)
	}
	answers := modelAnswers(t)
	waitReplicas(ctx, t, dyn, 10, 3*time.Minute, "the plan's 10 idle rooms")

	allocate(ctx, t, dyn, 1)
	waitReplicas(ctx, t, dyn, answers[0], 2*time.Minute, "emitted behaviour, 1 allocated: ask 11 with tolerance 0")

	// Kubernetes' default behaviour: KEDA drops the HPA's behavior.
	if _, err := dyn.Resource(soResource).Namespace(ns).Patch(ctx, "rooms", types.JSONPatchType,
		[]byte(`[{"op":"remove","path":"/spec/advanced"}]`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitDefaultBehaviour(ctx, t, dyn)
	waitNone(ctx, t, dyn, 10)
	allocate(ctx, t, dyn, 1)
	holdReplicas(ctx, t, dyn, answers[1], 4*15*time.Second, "default tolerance, ask 12 of 11 (1.09)")
	allocate(ctx, t, dyn, 1)
	waitReplicas(ctx, t, dyn, answers[2], 2*time.Minute, "default tolerance, ask 13 of 11 (1.18)")

	// The emitted behaviour again: recycled rooms linger while fewer than
	// minAvailable are None, then go at the next sync.
	setBehaviour(ctx, t, dyn, emittedBehaviour(t))
	waitNone(ctx, t, dyn, 10)
	// One more allocated before the three are recycled: 9 None at every
	// sync whichever of the two changes it sees (recycled first, a sync
	// between them sees 10 None and asks 13 − 3 = 10).
	played := named(ctx, t, dyn, "Allocated")
	if len(played) != 3 {
		t.Fatalf("%d Allocated rooms, want the 3 allocated so far", len(played))
	}
	allocate(ctx, t, dyn, 1)
	setOpsOf(ctx, t, dyn, played, "WaitToBeDeleted")
	waitReplicas(ctx, t, dyn, answers[3], 2*time.Minute, "3 recycled, 9 None: ask 13 + 10 − 9 = 14, the recycled kept")
	waitReplicas(ctx, t, dyn, answers[4], 2*time.Minute, "10 None again: ask 14 − 3 recycled = 11")
	// A GameServer goes with its pod (owner reference), after the pod's
	// termination and the garbage collector: the recycled ones are gone
	// within a minute and the Allocated room is kept.
	if err := wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		return len(named(ctx, t, dyn, "WaitToBeDeleted")) == 0, nil
	}); err != nil {
		t.Errorf("recycled rooms left a minute after the fleet reached 11: %s", gameServers(ctx, dyn))
	}
	if kept := named(ctx, t, dyn, "Allocated"); len(kept) != 1 {
		t.Errorf("%d Allocated rooms left, want the one in play: the GameServerSet deletes the recycled first: %s", len(kept), gameServers(ctx, dyn))
	}

	// A scale-down window holds the surplus for its length.
	behaviour := emittedBehaviour(t)
	if err := unstructured.SetNestedField(behaviour, int64(60), "scaleDown", "stabilizationWindowSeconds"); err != nil {
		t.Fatal(err)
	}
	setBehaviour(ctx, t, dyn, behaviour)
	allocate(ctx, t, dyn, 2)
	waitReplicas(ctx, t, dyn, answers[5], 2*time.Minute, "2 more allocated: ask 11 + 10 − 8 = 13")
	waitNone(ctx, t, dyn, 10)
	setOps(ctx, t, dyn, "Allocated", "WaitToBeDeleted", 3)
	holdReplicas(ctx, t, dyn, answers[5], 40*time.Second, "3 recycled, ask 10, inside the 60 s scale-down window")
	waitReplicas(ctx, t, dyn, answers[6], 2*time.Minute, "the window over: 13 − 3 recycled = 10")
}

// modelAnswers are the model's HPA layer's answers to the same steps
// (policy.MinAvailable's scaler ask through policy.HPA), which must be
// the ones derived by hand: 11, 11, 13.
func modelAnswers(t *testing.T) []int64 {
	t.Helper()
	rule := policy.MinAvailable{Count: 10}
	ask := func(replicas, none int) int {
		return rule.ScalerAsk(policy.ScalerStatus{Replicas: replicas, Pods: replicas, None: none})
	}
	emitted := policy.DefaultHPA()
	emitted.TolUp, emitted.TolDown, emitted.Down.Window = 0, 0, 0
	first := emitted.Next(15, 10, ask(10, 9))
	def := policy.DefaultHPA()
	def.Next(0, first, first) // the HPA KEDA remade: its first recommendation
	second := def.Next(15, first, ask(first, first-2))
	third := def.Next(30, second, ask(second, second-3))
	// Emitted again, 3 Allocated rooms recycled and 1 more allocated.
	withWTD := func(replicas, none, wtd int) int {
		return rule.ScalerAsk(policy.ScalerStatus{Replicas: replicas, Pods: replicas, None: none, WaitToBeDeleted: wtd})
	}
	emitted = policy.DefaultHPA()
	emitted.TolUp, emitted.TolDown, emitted.Down.Window = 0, 0, 0
	emitted.Next(0, third, third)
	fourth := emitted.Next(15, third, withWTD(third, 9, 3))
	fifth := emitted.Next(30, fourth, withWTD(fourth, 10, 3))
	// A 60 s scale-down window: 2 allocated, then those 3 recycled; the
	// recommendations of 13 keep it until the window has passed them.
	windowed := policy.DefaultHPA()
	windowed.TolUp, windowed.TolDown, windowed.Down.Window = 0, 0, 60
	windowed.Next(0, fifth, fifth)
	sixth := windowed.Next(15, fifth, withWTD(fifth, 8, 0))
	held := 0
	seventh := sixth
	for at := 30.0; seventh == sixth && at < 300; at += 15 {
		if seventh = windowed.Next(at, sixth, withWTD(sixth, 10, 3)); seventh == sixth {
			held++
		}
	}
	out := []int64{int64(first), int64(second), int64(third), int64(fourth), int64(fifth), int64(sixth), int64(seventh)}
	if fmt.Sprint(out) != "[11 11 13 14 11 13 10]" || held != 3 {
		t.Fatalf("the model's HPA answers %v, held %d syncs; derived by hand [11 11 13 14 11 13 10], held 3 (60 s window, 15 s syncs: the last 13 at 15 s, gone at 75 s)", out, held)
	}
	return out
}

// TestModelAnswersAreTheDerivedOnes runs without a cluster.
func TestModelAnswersAreTheDerivedOnes(t *testing.T) { modelAnswers(t) }

// roomsManifests are the manifests emit.OKG writes for a flat plan of 10
// rooms, with the room server's image (a Running pod is all the scaler
// counts) on the rooms' node.
func roomsManifests(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	doc, dir, err := scenarios.Read("evening-peak")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse(doc, dir)
	if err != nil {
		t.Fatal(err)
	}
	plan := &results.Plan{Scenario: sc.Name, Knob: "minAvailable", Step: "1h0m0s", LeadSeconds: 95, Found: true,
		Steps: []results.PlanStep{{At: "0s", Count: 10, Analytic: 10, PeakRate: 1}}}
	b, err := emit.OKG(plan, sc, emit.Options{Fleet: "rooms", Namespace: ns, Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := clusters.DecodeObjects(b)
	if err != nil {
		t.Fatal(err)
	}
	namespace := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
	for _, o := range objs {
		if o.GetKind() != "GameServerSet" {
			continue
		}
		pod := map[string]any{
			"nodeSelector": map[string]any{clusters.PoolLabel: clusters.PoolRooms},
			"containers": []any{map[string]any{
				"name": "game-server", "image": "fleetbench/roomserver:" + kind.ImageTag, "imagePullPolicy": "Never",
				"env":       []any{map[string]any{"name": "FLEETBENCH_TOKEN_KEY", "value": strings.Repeat("ab", 32)}},
				"resources": map[string]any{"requests": map[string]any{"cpu": "10m"}},
			}},
		}
		if err := unstructured.SetNestedMap(o.Object, pod, "spec", "gameServerTemplate", "spec"); err != nil {
			t.Fatal(err)
		}
	}
	return append([]*unstructured.Unstructured{namespace}, objs...)
}

func replicas(ctx context.Context, dyn dynamic.Interface) (spec, pods int64, err error) {
	gss, err := dyn.Resource(gssResource).Namespace(ns).Get(ctx, "rooms", metav1.GetOptions{})
	if err != nil {
		return 0, 0, err
	}
	spec, _, _ = unstructured.NestedInt64(gss.Object, "spec", "replicas")
	pods, _, _ = unstructured.NestedInt64(gss.Object, "status", "replicas")
	return spec, pods, nil
}

// waitReplicas waits for the GameServerSet's spec and pods to be want.
// Each poll's reading, with the opsState labels the scaler counts, is
// kept: a wrong answer says which state the fleet passed through.
func waitReplicas(ctx context.Context, t *testing.T, dyn dynamic.Interface, want int64, limit time.Duration, why string) {
	t.Helper()
	start := time.Now()
	var spec, pods int64
	var failed int
	var last error
	type reading struct {
		what  string
		at    time.Duration
		polls int
	}
	var seen []reading // in order, each with how many polls read it
	err := wait.PollUntilContextTimeout(ctx, time.Second, limit, true, func(ctx context.Context) (bool, error) {
		s, p, err := replicas(ctx, dyn)
		if err != nil {
			failed, last = failed+1, err
			return false, nil
		}
		spec, pods = s, p
		what := fmt.Sprintf("replicas %d, pods %d, labels %s", s, p, podLabels(ctx, dyn))
		if n := len(seen); n > 0 && seen[n-1].what == what {
			seen[n-1].polls++
		} else {
			seen = append(seen, reading{what: what, at: time.Since(start).Round(time.Second), polls: 1})
		}
		return spec == want && pods == want, nil
	})
	if err != nil {
		var b strings.Builder
		for _, r := range seen {
			fmt.Fprintf(&b, "\n  from %s, %d polls: %s", r.at, r.polls, r.what)
		}
		t.Errorf("%s: replicas %d, pods %d after %s; want %d. Readings:%s\n%d reads failed, the last: %v",
			why, spec, pods, limit, want, b.String(), failed, last)
		t.Errorf("GameServers: %s", gameServers(context.WithoutCancel(ctx), dyn))
		t.Fatalf("KEDA's view: %s", kedaView(context.WithoutCancel(ctx), dyn))
	}
	t.Logf("%s: %d rooms after %s", why, want, time.Since(start).Round(time.Second))
}

// podLabels counts the rooms' pods by the opsState label the scaler reads.
func podLabels(ctx context.Context, dyn dynamic.Interface) string {
	list, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"}).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err.Error()
	}
	count := map[string]int{}
	for _, p := range list.Items {
		state := p.GetLabels()["game.kruise.io/gs-opsState"]
		if p.GetDeletionTimestamp() != nil {
			state += "(deleting)"
		}
		count[state]++
	}
	return fmt.Sprint(count)
}

// gameServers lists each GameServer's opsState and its pod's label.
func gameServers(ctx context.Context, dyn dynamic.Interface) string {
	list, err := dyn.Resource(gsResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, gs := range list.Items {
		state, _, _ := unstructured.NestedString(gs.Object, "spec", "opsState")
		label := "no pod"
		if pod, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"}).Namespace(ns).Get(ctx, gs.GetName(), metav1.GetOptions{}); err == nil {
			label = pod.GetLabels()["game.kruise.io/gs-opsState"]
		}
		fmt.Fprintf(&b, "\n  %s: spec %q, pod label %q, created %s", gs.GetName(), state, label, gs.GetCreationTimestamp().Format(time.TimeOnly))
	}
	return b.String()
}

// holdReplicas fails if the replicas leave want within d.
func holdReplicas(ctx context.Context, t *testing.T, dyn dynamic.Interface, want int64, d time.Duration, why string) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(time.Second) {
		spec, _, err := replicas(ctx, dyn)
		if err != nil {
			t.Fatal(err)
		}
		if spec != want {
			t.Fatalf("%s: replicas %d, want %d held for %s", why, spec, want, d)
		}
	}
	t.Logf("%s: %d rooms held for %s", why, want, d)
}

// allocate sets n None GameServers' opsState to Allocated, as a
// matchmaker claims rooms under OpenKruiseGame.
func allocate(ctx context.Context, t *testing.T, dyn dynamic.Interface, n int) {
	t.Helper()
	setOps(ctx, t, dyn, "None", "Allocated", n)
}

// setOps moves n GameServers from opsState from to to.
func setOps(ctx context.Context, t *testing.T, dyn dynamic.Interface, from, to string, n int) {
	t.Helper()
	names := named(ctx, t, dyn, from)
	if len(names) < n {
		t.Fatalf("%d GameServers short of %s ones to make %s", n-len(names), from, to)
	}
	setOpsOf(ctx, t, dyn, names[:n], to)
}

// setOpsOf moves the named GameServers to opsState to.
func setOpsOf(ctx context.Context, t *testing.T, dyn dynamic.Interface, names []string, to string) {
	t.Helper()
	for _, name := range names {
		if _, err := dyn.Resource(gsResource).Namespace(ns).Patch(ctx, name, types.MergePatchType,
			[]byte(`{"spec":{"opsState":"`+to+`"}}`), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// named lists the GameServers in opsState state (None: unset too).
func named(ctx context.Context, t *testing.T, dyn dynamic.Interface, state string) []string {
	t.Helper()
	list, err := dyn.Resource(gsResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, gs := range list.Items {
		if s, _, _ := unstructured.NestedString(gs.Object, "spec", "opsState"); s == state || (state == "None" && s == "") {
			names = append(names, gs.GetName())
		}
	}
	return names
}

// emittedBehaviour is the HPA behaviour emit.OKG writes.
func emittedBehaviour(t *testing.T) map[string]any {
	t.Helper()
	for _, o := range roomsManifests(t) {
		if o.GetKind() == "ScaledObject" {
			b, _, err := unstructured.NestedMap(o.Object, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior")
			if err != nil || b == nil {
				t.Fatalf("the emitted ScaledObject has no behaviour: %v", err)
			}
			return b
		}
	}
	t.Fatal("no ScaledObject emitted")
	return nil
}

// setBehaviour gives the ScaledObject's HPA behaviour b and waits until
// KEDA has put it on the HPA (its scale-down window, as given).
func setBehaviour(ctx context.Context, t *testing.T, dyn dynamic.Interface, b map[string]any) {
	t.Helper()
	patch, err := json.Marshal([]map[string]any{{"op": "add", "path": "/spec/advanced", "value": map[string]any{
		"horizontalPodAutoscalerConfig": map[string]any{"behavior": b}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(soResource).Namespace(ns).Patch(ctx, "rooms", types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	want, _, _ := unstructured.NestedInt64(b, "scaleDown", "stabilizationWindowSeconds")
	hpa := schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}
	err = wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		h, err := dyn.Resource(hpa).Namespace(ns).Get(ctx, "keda-hpa-rooms", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		_, tol, _ := unstructured.NestedFieldNoCopy(h.Object, "spec", "behavior", "scaleUp", "tolerance")
		w, _, _ := unstructured.NestedInt64(h.Object, "spec", "behavior", "scaleDown", "stabilizationWindowSeconds")
		return tol && w == want, nil
	})
	if err != nil {
		t.Fatalf("KEDA did not put the behaviour on its HPA: %v", err)
	}
}

// waitNone waits until want pods carry opsState None (kruise-game copies
// a GameServer's opsState onto its pod's label, which the scaler counts).
func waitNone(ctx context.Context, t *testing.T, dyn dynamic.Interface, want int) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"}).Namespace(ns).List(ctx,
			metav1.ListOptions{LabelSelector: "game.kruise.io/gs-opsState=None"})
		return err == nil && len(pods.Items) == want, nil
	})
	if err != nil {
		t.Fatalf("%d None rooms not reached: %v", want, err)
	}
}

// waitDefaultBehaviour waits for KEDA to have taken the behaviour off
// the HPA it made ("keda-hpa-" + the ScaledObject's name), so that no
// sync after it runs with tolerance 0.
func waitDefaultBehaviour(ctx context.Context, t *testing.T, dyn dynamic.Interface) {
	t.Helper()
	hpa := schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}
	err := wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		h, err := dyn.Resource(hpa).Namespace(ns).Get(ctx, "keda-hpa-rooms", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		_, set, _ := unstructured.NestedFieldNoCopy(h.Object, "spec", "behavior", "scaleUp", "tolerance")
		return !set, nil
	})
	if err != nil {
		t.Fatalf("KEDA kept the emitted behaviour on its HPA: %v", err)
	}
}

// kedaView is what KEDA says of the ScaledObject (its conditions and
// last active time) and the namespace's events: whether KEDA itself
// scaled the fleet (KEDAScaleTargetDeactivated) or its scaler failed.
func kedaView(ctx context.Context, dyn dynamic.Interface) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var b strings.Builder
	if so, err := dyn.Resource(soResource).Namespace(ns).Get(ctx, "rooms", metav1.GetOptions{}); err != nil {
		fmt.Fprintf(&b, "ScaledObject: %v; ", err)
	} else {
		status, _, _ := unstructured.NestedMap(so.Object, "status")
		fmt.Fprintf(&b, "ScaledObject status %v; ", status)
	}
	events, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "events"}).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		fmt.Fprintf(&b, "events: %v", err)
		return b.String()
	}
	for _, e := range events.Items {
		reason, _, _ := unstructured.NestedString(e.Object, "reason")
		msg, _, _ := unstructured.NestedString(e.Object, "message")
		if !strings.HasPrefix(reason, "Successful") && reason != "Scheduled" && reason != "Pulled" && reason != "Created" && reason != "Started" {
			fmt.Fprintf(&b, "\n  event %s: %s", reason, msg)
		}
	}
	return b.String()
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
