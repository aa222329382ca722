//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// TestRoomRestartedInPlaceNeverServesASecondMatch: a room server killed
// mid-match (SIGKILL: a crash) is restarted in place by its pod's restart
// policy. It must not publish None over Allocated: its pod never returns
// to the pool, is replaced, and every match the matchmaker hands out
// afterwards gets another room.
func TestRoomRestartedInPlaceNeverServesASecondMatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, kube, mm, err := deployStack(ctx, t, 6, 2)
	if err != nil {
		t.Fatal(err)
	}
	first := matchPair(t, mm, "a")
	for _, a := range first {
		p := &client.Player{}
		if err := p.Join(ctx, "ws://"+a.Address+"/ws", a.Token); err != nil {
			t.Fatalf("join %s: %v", a.Address, err)
		}
		defer p.Conn.Leave()
	}
	room := first[0].Room
	pod, err := kube.CoreV1().Pods(manifests.Namespace).Get(ctx, room, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	uid := pod.UID

	// Every opsState the room's pod shows from here on.
	var mu sync.Mutex
	var seen []string
	w, err := kube.CoreV1().Pods(manifests.Namespace).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + room, ResourceVersion: pod.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	go func() {
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok && p.UID == uid {
				mu.Lock()
				seen = append(seen, p.Labels[wire.OpsStateLabel])
				mu.Unlock()
			}
		}
	}()

	pid := roomServerPID(t, room)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the room server restarted in place and its pod gone", func() bool {
		p, err := kube.CoreV1().Pods(manifests.Namespace).Get(ctx, room, metav1.GetOptions{})
		return err != nil || p.UID != uid
	})
	// Matches after the restart never get the restarted room.
	for i := range 3 {
		for _, a := range matchPair(t, mm, fmt.Sprintf("b%d", i)) {
			if a.Room == room {
				t.Errorf("match %s was handed room %s, restarted in place under match %s", a.Match, room, first[0].Match)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, state := range seen {
		if state == "None" {
			t.Fatalf("room %s returned to None after its restart in place (opsStates seen: %v)", room, seen)
		}
	}
	if len(seen) == 0 || seen[len(seen)-1] != "Kill" {
		t.Errorf("room %s: opsStates after the restart %v, want it marked Kill", room, seen)
	}
	t.Logf("room %s after SIGKILL: opsStates %v, then replaced", room, seen)
}

// matchPair matches two players together.
func matchPair(t *testing.T, mm, prefix string) [2]wire.Assignment {
	t.Helper()
	var out [2]wire.Assignment
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() { out[i] = match(t, mm, fmt.Sprintf("%s%d", prefix, i)) })
	}
	wg.Wait()
	if out[0].Match != out[1].Match {
		t.Fatalf("players split: %+v", out)
	}
	return out
}

// roomServerPID finds the room server process of a pod by the POD_NAME
// the runner gave it.
func roomServerPID(t *testing.T, pod string) int {
	t.Helper()
	want := []byte("POD_NAME=" + pod + "\x00")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		env, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil || !bytes.Contains(env, want) {
			continue
		}
		if exe, _ := os.Readlink(filepath.Join(d, "exe")); filepath.Base(exe) == "roomserver" {
			pid, _ := strconv.Atoi(filepath.Base(d))
			return pid
		}
	}
	t.Fatalf("no roomserver process with POD_NAME=%s", pod)
	return 0
}
