package loadgen

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// A distributed run's results travel through the API server only, as
// ConfigMaps in the stack's namespace, so a run works on any cluster the
// kubeconfig reaches with no other path between the CLI and its workers:
//   - loadgen-worker-I (data status.json): worker I's live status, rewritten
//     every flush;
//   - loadgen-outcomes-I-K (binaryData outcomes.ndjson.gz): worker I's
//     finished players, the journal lines of an in-process run, gzipped.
//     Chunk K grows with each flush until its raw lines pass chunkRawLimit,
//     then chunk K+1 starts.
//
// The shard is the journal itself: every histogram, counter and series
// of measured.json is made from it by the same Recorder an in-process run
// uses, so the two cannot differ in meaning, and the journal (which the
// run writes anyway) is the only O(players) data that crosses.
// Limits: a ConfigMap holds at most 1 MiB, so a chunk's raw lines stop at
// chunkRawLimit (outcomes gzip ~6×: chunks weigh ~170 KiB); a worker that
// dies loses only the players that finished after its last flush.
const (
	outcomesKey   = "outcomes.ndjson.gz"
	statusKey     = "status.json"
	chunkRawLimit = 1 << 20
	// workerLabel marks every object of the workers, for removal; its
	// value tells statuses and outcomes apart for listing.
	workerLabel  = "fleetbench.dev/loadgen-worker"
	kindStatus   = "status"
	kindOutcomes = "outcomes"
)

func statusName(worker int) string { return "loadgen-worker-" + strconv.Itoa(worker) }

func chunkName(worker, chunk int) string {
	return "loadgen-outcomes-" + strconv.Itoa(worker) + "-" + strconv.Itoa(chunk)
}

// workerStatus is what a worker reports at every flush.
type workerStatus struct {
	Worker int  `json:"worker"`
	Ready  bool `json:"ready"` // waiting at the start barrier, or past it
	// Arrivals, InRoom and Reconnects are the live counters of the run's
	// status line; Recent is the time to room (scenario seconds) of the
	// last statusWindow seconds, an encoded HdrHistogram.
	Arrivals   int64  `json:"arrivals"`
	InRoom     int64  `json:"inRoom"`
	Reconnects int64  `json:"reconnects"`
	Recent     string `json:"recent,omitempty"`
	// Sent players are in chunks 0..Chunks-1 as of this status.
	Sent   int64 `json:"sent"`
	Chunks int   `json:"chunks"`
	// Final: the worker has played its arrivals and sent every outcome.
	Final bool `json:"final"`
	// Waiting is the matchmaker's count of formed matches still waiting
	// for a room at the scenario's end (worker 0 alone asks).
	Waiting int64 `json:"waiting,omitempty"`
	// Error is why the worker stopped early, if it did.
	Error string `json:"error,omitempty"`
}

// shardWriter sends one worker's outcomes and status as ConfigMaps.
type shardWriter struct {
	client kubernetes.Interface
	ns     string
	worker int

	mu      sync.Mutex
	pending [][]byte     // journal lines not yet in a flushed chunk
	chunk   int          // the chunk being filled
	lines   bytes.Buffer // the chunk's lines
	dirty   bool         // lines holds some not yet written
	sent    int64        // lines in chunks, written or to be
}

// Record queues a finished player (the generator's sink).
func (w *shardWriter) Record(o Outcome) {
	line, _ := json.Marshal(o)
	w.mu.Lock()
	w.pending = append(w.pending, append(line, '\n'))
	w.mu.Unlock()
}

// flush writes the pending outcomes into chunks, then the status; st's
// Sent and Chunks are filled in here. After a failed write the lines stay
// queued or in the chunk's buffer: the next flush sends them, once.
func (w *shardWriter) flush(ctx context.Context, st workerStatus) error {
	w.mu.Lock()
	pending := w.pending
	w.pending = nil
	w.mu.Unlock()
	for {
		n := 0
		for n < len(pending) && (w.lines.Len() == 0 || w.lines.Len()+len(pending[n]) <= chunkRawLimit) {
			w.lines.Write(pending[n])
			n++
		}
		w.sent += int64(n)
		w.dirty = w.dirty || n > 0
		pending = pending[n:]
		if w.dirty {
			if err := w.writeChunk(ctx); err != nil {
				w.mu.Lock()
				w.pending = append(pending, w.pending...)
				w.mu.Unlock()
				return err
			}
			w.dirty = false
		}
		if len(pending) == 0 {
			break
		}
		w.chunk++ // the chunk is full: seal it
		w.lines.Reset()
	}
	st.Worker, st.Sent, st.Chunks = w.worker, w.sent, w.chunk
	if w.lines.Len() > 0 {
		st.Chunks++
	}
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return putConfigMap(ctx, w.client, w.ns, statusName(w.worker), kindStatus, map[string]string{statusKey: string(body)}, nil)
}

func (w *shardWriter) writeChunk(ctx context.Context) error {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(w.lines.Bytes())
	if err := zw.Close(); err != nil {
		return err
	}
	return putConfigMap(ctx, w.client, w.ns, chunkName(w.worker, w.chunk), kindOutcomes, nil, map[string][]byte{outcomesKey: gz.Bytes()})
}

// putConfigMap creates or replaces a worker's ConfigMap.
func putConfigMap(ctx context.Context, client kubernetes.Interface, ns, name, kind string, data map[string]string, binary map[string][]byte) error {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{workerLabel: kind}},
		Data: data, BinaryData: binary}
	cms := client.CoreV1().ConfigMaps(ns)
	_, err := cms.Update(ctx, cm, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		_, err = cms.Create(ctx, cm, metav1.CreateOptions{})
	}
	if err != nil {
		return fmt.Errorf("writing ConfigMap %s/%s: %w", ns, name, err)
	}
	return nil
}

// readOutcomes decodes one chunk and hands each outcome, with its
// journal line, to fn.
func readOutcomes(r io.Reader, fn func(Outcome, []byte)) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	lines := bufio.NewScanner(zr)
	lines.Buffer(make([]byte, 64<<10), chunkRawLimit)
	for lines.Scan() {
		var o Outcome
		if err := json.Unmarshal(lines.Bytes(), &o); err != nil {
			return err
		}
		fn(o, lines.Bytes())
	}
	return lines.Err()
}
