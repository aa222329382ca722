//go:build e2e

package matchmaker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters/localtest"
	"github.com/fleetbench/fleetbench/stack/wire"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestConcurrentAllocationsNeverShareARoom: 1,000 requests at once for
// 200 rooms: 200 get distinct rooms, 800 get 503, none waits unanswered.
func TestConcurrentAllocationsNeverShareARoom(t *testing.T) {
	c := localtest.Start(t, localtest.Options{})
	client, err := c.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const rooms, requests = 200, 1000
	readyRooms(ctx, t, client, rooms)
	hs := startMatchmaker(ctx, t, matchmakerClient(t, c), testConfig())

	var mu sync.Mutex
	byRoom := map[string][]string{}
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(map[string]string{"player": fmt.Sprintf("p%d", i)})
			resp, err := http.Post(hs.URL+"/v1/match", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			var a wire.Assignment
			_ = json.NewDecoder(resp.Body).Decode(&a)
			mu.Lock()
			defer mu.Unlock()
			codes[resp.StatusCode]++
			if resp.StatusCode == http.StatusOK {
				byRoom[a.Room] = append(byRoom[a.Room], a.Match)
			} else if resp.Header.Get("Retry-After") == "" {
				t.Errorf("status %d without Retry-After", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	for room, matches := range byRoom {
		if len(matches) > 1 {
			t.Errorf("room %s allocated to %d matches: %v", room, len(matches), matches)
		}
	}
	if codes[http.StatusOK] != rooms || codes[http.StatusServiceUnavailable] != requests-rooms {
		t.Errorf("answers %v: want %d × 200 and %d × 503", codes, rooms, requests-rooms)
	}
	list, err := client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: wire.OpsStateLabel + "=Allocated"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != rooms {
		t.Errorf("%d pods Allocated, want %d", len(list.Items), rooms)
	}
	for _, p := range list.Items {
		if m := p.Annotations[wire.MatchAnnotation]; len(byRoom[p.Name]) != 1 || byRoom[p.Name][0] != m {
			t.Errorf("pod %s records match %q; answers gave %v", p.Name, m, byRoom[p.Name])
		}
	}
}
