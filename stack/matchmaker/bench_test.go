package matchmaker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters/localtest"
)

// BenchmarkAllocationHTTP: allocations per second and p99 latency through
// the HTTP API against a real API server on loopback: 1,000 Ready rooms
// taken by 1,000 players (one per match) from 64 concurrent clients.
func BenchmarkAllocationHTTP(b *testing.B) {
	c := localtest.Start(b, localtest.Options{})
	client, err := c.Client()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const rooms, clients = 1000, 64
	readyRooms(ctx, b, client, rooms)
	hs := startMatchmaker(ctx, b, matchmakerClient(b, c), testConfig())
	httpc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}

	work := make(chan int)
	lat := make([]time.Duration, 0, rooms)
	var mu sync.Mutex
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				body, _ := json.Marshal(map[string]string{"player": fmt.Sprintf("p%d", i)})
				t0 := time.Now()
				resp, err := httpc.Post(hs.URL+"/v1/match", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					continue
				}
				resp.Body.Close()
				d := time.Since(t0)
				if resp.StatusCode != http.StatusOK {
					b.Errorf("request %d: %s", i, resp.Status)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	for i := range rooms {
		work <- i
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "allocs/s")
	b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
