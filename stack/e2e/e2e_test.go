//go:build e2e

// Package e2e runs the whole stack on the local cluster: Redis, the
// matchmaker, fleetd and room servers as processes, players over HTTP and
// WebSocket, and a rolling deploy.
package e2e

import (
	"context"
	"fmt"
	"github.com/fleetbench/fleetbench/deploy"
	"net/http"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/localtest"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/settings"
	"github.com/fleetbench/fleetbench/stack/wire"
)

func TestMain(m *testing.M) { localtest.Main(m) }

// stackSettings: matches of two, a minAvailable of 2 rolled one room at
// a time, rooms reused.
func stackSettings() manifests.Settings {
	mm := settings.DefaultMatchmaker()
	mm.PerMatch, mm.OnNoServer, mm.AllocTimeout = 2, settings.Wait, 30*time.Second
	fl := settings.DefaultFleetd()
	fl.Policy, fl.Count, fl.Update = settings.MinAvailable, 2, settings.Rolling
	fl.MaxSurge, fl.MaxUnavailable = policy.IntOrPercent{Value: 1}, policy.IntOrPercent{Value: 0}
	rs := settings.RoomServer{Capacity: 2, AfterMatch: settings.Reuse, Window: 30 * time.Second, Grace: 5 * time.Second}
	return manifests.Settings{TokenKey: []byte("0123456789abcdef0123456789abcdef"), Matchmaker: mm, Fleetd: fl, RoomServer: rs}
}

// match asks the matchmaker for a room for player.
func match(t *testing.T, addr, player string) wire.Assignment {
	t.Helper()
	a, err := client.Matchmaker{HTTP: http.DefaultClient, Addr: addr}.Match(context.Background(), player)
	if err != nil {
		t.Fatalf("match for %s: %v", player, err)
	}
	return a
}

func roomPods(ctx context.Context, t *testing.T, client kubernetes.Interface) []corev1.Pod {
	t.Helper()
	list, err := client.CoreV1().Pods(manifests.Namespace).List(ctx, metav1.ListOptions{LabelSelector: wire.RoomServerSelector})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func TestStackOnLocalCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	c, kube, mm, err := deployStack(ctx, t, 4, 3)
	if err != nil {
		t.Fatal(err)
	}

	// Two players are matched into one room and play in it.
	var assigned [2]wire.Assignment
	var wg sync.WaitGroup
	for i := range assigned {
		wg.Add(1)
		go func() { defer wg.Done(); assigned[i] = match(t, mm, fmt.Sprintf("p%d", i)) }()
	}
	wg.Wait()
	if assigned[0].Room != assigned[1].Room || assigned[0].Match != assigned[1].Match {
		t.Fatalf("players split: %+v", assigned)
	}
	room := assigned[0].Room
	players := make([]*client.Player, 2)
	for i, a := range assigned {
		players[i] = &client.Player{}
		if err := players[i].Join(ctx, "ws://"+a.Address+"/ws", a.Token); err != nil {
			t.Fatalf("join %s: %v", a.Address, err)
		}
		for range 3 {
			if err := players[i].Input(); err != nil {
				t.Fatal(err)
			}
		}
		if err := players[i].Await(ctx, 3); err != nil {
			t.Fatal(err)
		}
	}

	// A rolling deploy replaces the idle rooms, never the one in play.
	if err := deploy.On(c).SetVersion(ctx, manifests.Namespace, "roomserver", "v2"); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "idle rooms at v2", func() bool {
		v2 := 0
		for _, p := range roomPods(ctx, t, kube) {
			if p.Labels[wire.VersionLabel] == "v2" && p.Labels[wire.OpsStateLabel] == "None" && clusters.PodReady(&p) {
				v2++
			}
		}
		return v2 >= 2
	})
	if !hasPod(roomPods(ctx, t, kube), room) {
		logEvents(ctx, t, kube, room)
		t.Fatalf("the rolling deploy deleted allocated room %s", room)
	}
	for _, p := range players {
		if err := p.Input(); err != nil {
			t.Fatal(err)
		}
		if err := p.Await(ctx, 4); err != nil {
			t.Fatalf("playing on after the deploy: %v", err)
		}
		p.Conn.Leave()
	}
	// Match over: the v1 room returns to None and is replaced.
	waitFor(ctx, t, "the v1 room replaced", func() bool { return !hasPod(roomPods(ctx, t, kube), room) })
}

func hasPod(pods []corev1.Pod, name string) bool {
	for _, p := range pods {
		if p.Name == name && p.DeletionTimestamp == nil {
			return true
		}
	}
	return false
}

func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// logEvents shows what happened to a pod, for a failure's diagnosis.
func logEvents(ctx context.Context, t *testing.T, kube kubernetes.Interface, pod string) {
	evs, err := kube.CoreV1().Events(manifests.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + pod})
	if err != nil {
		t.Logf("events: %v", err)
		return
	}
	for _, e := range evs.Items {
		t.Logf("event %s %s %s: %s", e.LastTimestamp.Format("15:04:05"), e.Reason, e.Source.Component, e.Message)
	}
	if p, err := kube.CoreV1().Pods(manifests.Namespace).Get(ctx, pod, metav1.GetOptions{}); err == nil {
		t.Logf("pod %s: labels %v deletion %v node %s", pod, p.Labels, p.DeletionTimestamp, p.Spec.NodeName)
	} else {
		t.Logf("pod %s: %v", pod, err)
	}
}

// deployStack brings up a local cluster with a room pool of podsPerNode
// rooms a node (1 to maxNodes nodes, booting in a second, rooms starting
// at once) and the stack on it; it returns the matchmaker's address.
func deployStack(ctx context.Context, t *testing.T, podsPerNode, maxNodes int) (*clusters.Cluster, kubernetes.Interface, string, error) {
	t.Helper()
	spec := clusters.DefaultSpec()
	spec.Nodes.PodsPerNode, spec.Nodes.Min, spec.Nodes.Max = podsPerNode, 1, maxNodes
	spec.Nodes.Boot, spec.Nodes.BootMax = time.Second, time.Second
	spec.PodStartup.Fixed.Duration = 0
	c := localtest.Start(t, localtest.Options{Spec: spec, BinDir: localtest.BuildStack(t)})
	if err := deploy.On(c).Install(ctx, stackSettings(), 2); err != nil {
		return nil, nil, "", err
	}
	kube, err := c.Client()
	if err != nil {
		return nil, nil, "", err
	}
	mm, err := deploy.On(c).WaitServiceAddress(ctx, manifests.Namespace, "matchmaker", "http")
	return c, kube, mm, err
}
