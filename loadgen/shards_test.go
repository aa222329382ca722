package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fleetbench/fleetbench/results"
)

// syntheticOutcome is a plausible player: seated in a match of four
// (which share its allocation), one reconnect in ten.
func syntheticOutcome(i uint64) Outcome {
	o := Outcome{Index: i, At: float64(i) * 0.01, Player: fmt.Sprintf("p%d", i), TimeToRoom: 0.5 + float64(i%97)/100,
		MatchWait: 0.2, AllocWait: 0.05 + float64((i/4)%13)/1000, Connect: 0.003, Room: fmt.Sprintf("roomserver-%d", i%50),
		Match: fmt.Sprintf("m%d-abc", i/4+1), Inputs: 20 + i%7}
	if i%10 == 0 {
		o.Reconnects = []Reconnect{{At: o.At + 3, Latency: 0.4, OK: true, Handshake: 0.01}}
	}
	return o
}

// TestShardsCarryEveryOutcomeOnce: outcomes sent through ConfigMaps in
// sealed chunks, with a failed write between, arrive each exactly once
// and are the same players.
func TestShardsCarryEveryOutcomeOnce(t *testing.T) {
	ctx := context.Background()
	client := fake.NewClientset()
	fail := true
	client.PrependReactor("update", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		if fail {
			fail = false
			return true, nil, errors.New("the API server is busy")
		}
		return false, nil, nil
	})
	w := newShardWriter(client, "fleetbench", 1)
	const players = 20_000
	for i := range uint64(players) {
		w.Record(syntheticOutcome(i))
		if i == players/2 {
			if err := w.flush(ctx, workerStatus{}); err == nil {
				t.Fatal("the first flush should fail (injected)")
			}
		}
	}
	if err := w.flush(ctx, workerStatus{Final: true}); err != nil {
		t.Fatal(err)
	}
	tm := &workerPods{client: client, ns: "fleetbench", n: 2, log: slog.New(slog.DiscardHandler)}
	statuses, err := tm.statuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := statuses[1]
	if !st.Final || st.Sent != players || st.Chunks < 1 {
		t.Errorf("status %+v: want final, %d sent", st, players)
	}
	dir := t.TempDir()
	rec, _ := NewRecorder(filepath.Join(dir, "players.ndjson"), time.Second, 1, 2)
	read, err := tm.chunks(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Fill(&results.Run{}); err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]int{}
	for _, o := range journal(t, dir) {
		seen[o.Index]++
		if o.Match != syntheticOutcome(o.Index).Match {
			t.Fatalf("player %d came back as %+v", o.Index, o)
		}
	}
	if read[1] != players || len(seen) != players {
		t.Fatalf("read %v, %d distinct players: want %d", read, len(seen), players)
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("player %d arrived %d times", i, n)
		}
	}
}

// TestMergedShardsAreTheInProcessRun: the same outcomes recorded in one
// process and recorded from shards give the same counters, histograms
// and series.
func TestMergedShardsAreTheInProcessRun(t *testing.T) {
	ctx := context.Background()
	const players, workers = 4000, 4
	dir := t.TempDir()
	direct, _ := NewRecorder(filepath.Join(dir, "direct.ndjson"), time.Second, 1, 2)
	client := fake.NewClientset()
	writers := make([]*shardWriter, workers)
	for i := range writers {
		writers[i] = newShardWriter(client, "ns", i)
	}
	for i := range uint64(players) {
		o := syntheticOutcome(i)
		direct.Record(o)
		writers[i%workers].Record(o)
	}
	for _, w := range writers {
		if err := w.flush(ctx, workerStatus{Final: true}); err != nil {
			t.Fatal(err)
		}
	}
	merged, _ := NewRecorder(filepath.Join(dir, "merged.ndjson"), time.Second, 1, 2)
	tm := &workerPods{client: client, ns: "ns", n: workers, log: slog.New(slog.DiscardHandler)}
	if _, err := tm.chunks(ctx, merged); err != nil {
		t.Fatal(err)
	}
	a, b := &results.Run{}, &results.Run{}
	if err := direct.Fill(a); err != nil {
		t.Fatal(err)
	}
	if err := merged.Fill(b); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Counters) != fmt.Sprint(b.Counters) {
		t.Errorf("counters differ:\n in process %v\n merged     %v", a.Counters, b.Counters)
	}
	for name, m := range a.Metrics {
		if b.Metrics[name] != m {
			t.Errorf("%s: in process %+v, merged %+v", name, m, b.Metrics[name])
		}
	}
	if fmt.Sprint(a.Series.Values) != fmt.Sprint(b.Series.Values) {
		t.Error("series differ")
	}
}

// BenchmarkMerge64Shards reads 64 workers' shards of 5,000 players each
// (ConfigMaps from a fake API server: decoding and recording, not the
// network) into one recorder.
func BenchmarkMerge64Shards(b *testing.B) {
	ctx := context.Background()
	const workers, each = 64, 5000
	client := fake.NewClientset()
	for w := range workers {
		sw := newShardWriter(client, "ns", w)
		for i := range uint64(each) {
			sw.Record(syntheticOutcome(i*workers + uint64(w)))
		}
		if err := sw.flush(ctx, workerStatus{Final: true}); err != nil {
			b.Fatal(err)
		}
	}
	tm := &workerPods{client: client, ns: "ns", n: workers, log: slog.New(slog.DiscardHandler)}
	b.ReportAllocs()
	for b.Loop() {
		rec, _ := NewRecorder(filepath.Join(b.TempDir(), "players.ndjson"), time.Second, 1, 2)
		if _, err := tm.chunks(ctx, rec); err != nil {
			b.Fatal(err)
		}
		if err := rec.Fill(&results.Run{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(workers*each), "players/op")
}
