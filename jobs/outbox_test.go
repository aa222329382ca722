package jobs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// TestOutboxSendsEachLineOnceAcrossChunks: lines that compress poorly
// fill several chunks, each within ChunkLimit; a write refused in
// between loses and repeats nothing.
func TestOutboxSendsEachLineOnceAcrossChunks(t *testing.T) {
	ctx := context.Background()
	client := fake.NewClientset()
	refuse := 0
	client.PrependReactor("*", "configmaps", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetVerb() == "update" || a.GetVerb() == "create" {
			if refuse++; refuse == 3 {
				return true, nil, errors.New("etcdserver: request timed out")
			}
		}
		return false, nil, nil
	})
	rng := rand.New(rand.NewPCG(1, 2))
	box := &Outbox{Client: client, Namespace: "ns", Job: "j", Kind: "out", Worker: 2}
	const lines = 40_000 // ~5.6 MB of random hex, ~2.8 MB gzipped: ≥ 3 chunks
	failed := 0
	for i := range lines {
		box.Add(fmt.Appendf(nil, `{"i":%d,"noise":"%016x%016x%016x%016x%016x%016x%016x%016x"}`, i,
			rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()))
		if i%1000 == 999 {
			if _, _, err := box.Flush(ctx); err != nil {
				failed++
			}
		}
	}
	sent, chunks, err := box.Flush(ctx)
	if err != nil || sent != lines || chunks < 3 || failed != 1 {
		t.Fatalf("sent %d in %d chunks (err %v, %d failed flushes): want %d lines in ≥ 3 chunks, one refused flush", sent, chunks, err, failed, lines)
	}
	cms, _ := List(ctx, client, "ns", "j", "out")
	for _, cm := range cms {
		if n := len(cm.BinaryData[linesKey]); n > ChunkLimit {
			t.Errorf("%s holds %d bytes, over %d", cm.Name, n, ChunkLimit)
		}
	}
	var mu sync.Mutex
	seen := map[int]int{}
	read, err := ReadLines(ctx, client, "ns", "j", "out", 3, func(w int, line []byte) error {
		var i int
		if _, err := fmt.Sscanf(string(line), `{"i":%d,`, &i); err != nil || w != 2 {
			return fmt.Errorf("line %q from worker %d", line, w)
		}
		mu.Lock()
		seen[i]++
		mu.Unlock()
		return nil
	})
	if err != nil || read[2] != lines || len(seen) != lines {
		t.Fatalf("read %v (%v), %d distinct: want %d from worker 2", read, err, len(seen), lines)
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("line %d read %d times", i, n)
		}
	}
}
