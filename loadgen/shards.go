package loadgen

import (
	"context"
	"encoding/json"
	"strconv"

	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/loadgen/guard"
)

// A distributed run's results travel through the API server only, as
// ConfigMaps in the stack's namespace (package workjob), so a run works
// on any cluster the kubeconfig reaches with no other path between the
// CLI and its workers: each worker's live status (rewritten every flush)
// and its finished players, the journal lines of an in-process run, in
// gzipped chunks of at most jobs.ChunkLimit.
//
// The shard is the journal itself: every histogram, counter and series
// of measured.json is made from it by the same Recorder an in-process run
// uses, so the two cannot differ in meaning, and the journal (which the
// run writes anyway) is the only O(players) data that crosses. A worker
// that dies loses only the players that finished after its last flush.
const (
	statusKey    = "status.json"
	kindStatus   = "status"
	kindOutcomes = "outcomes"
)

func statusName(worker int) string { return workerJobName + "-status-" + strconv.Itoa(worker) }

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
	// MaxRSS is the worker process's peak resident memory (bytes): with
	// its sessions, what a session costs.
	MaxRSS int64 `json:"maxRSS,omitempty"`
	// Process is the worker process's own CPU and scheduler latency so
	// far, for the run's harness check (nil before its first sample).
	Process *guard.Process `json:"process,omitempty"`
}

// shardWriter sends one worker's outcomes and status.
type shardWriter struct {
	box jobs.Outbox
}

func newShardWriter(client kubernetes.Interface, ns string, worker int) *shardWriter {
	return &shardWriter{box: jobs.Outbox{Client: client, Namespace: ns, Job: workerJobName, Kind: kindOutcomes, Worker: worker}}
}

// Record queues a finished player (the generator's sink).
func (w *shardWriter) Record(o Outcome) {
	line, _ := json.Marshal(o)
	w.box.Add(line)
}

// flush sends the queued outcomes, then the status (its Sent and Chunks
// filled in here).
func (w *shardWriter) flush(ctx context.Context, st workerStatus) error {
	sent, chunks, err := w.box.Flush(ctx)
	if err != nil {
		return err
	}
	st.Worker, st.Sent, st.Chunks = w.box.Worker, sent, chunks
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return jobs.PutConfigMap(ctx, w.box.Client, w.box.Namespace, workerJobName, statusName(w.box.Worker), kindStatus, map[string]string{statusKey: string(body)}, nil)
}
