package jobs

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"k8s.io/client-go/kubernetes"
)

// A worker's results are lines (NDJSON) sent in chunks: ConfigMaps named
// JOB-KIND-WORKER-CHUNK whose binaryData "lines.gz" is a series of gzip
// members, one per flush. A chunk grows until the next member would pass
// ChunkLimit, then the next chunk starts: a ConfigMap holds at most 1 MiB.
const (
	ChunkLimit = 900 << 10
	linesKey   = "lines.gz"
	// memberRaw bounds the lines in one gzip member, so a member always
	// fits a chunk (gzip never grows 256 KiB of text past 1 MiB).
	memberRaw = 256 << 10
)

// Outbox sends one worker's lines. Add is safe for concurrent use; Flush
// is called from one goroutine.
type Outbox struct {
	Client         kubernetes.Interface
	Namespace, Job string
	Kind           string
	Worker         int

	mu      sync.Mutex
	pending [][]byte

	chunk int
	data  []byte // the chunk's members
	dirty bool   // data holds members not yet written
	sent  int64  // lines in chunks, written or to be rewritten
}

// Add queues one line (without its newline).
func (o *Outbox) Add(line []byte) {
	o.mu.Lock()
	o.pending = append(o.pending, append(line, '\n'))
	o.mu.Unlock()
}

// Flush sends the queued lines. After a failed write the lines stay
// queued, or in the chunk that the next Flush writes again: each line
// arrives once. It returns the lines sent and the chunks they fill.
func (o *Outbox) Flush(ctx context.Context) (sent int64, chunks int, err error) {
	o.mu.Lock()
	lines := o.pending
	o.pending = nil
	o.mu.Unlock()
	for len(lines) > 0 {
		n, raw := 0, 0
		for n < len(lines) && (n == 0 || raw+len(lines[n]) <= memberRaw) {
			raw += len(lines[n])
			n++
		}
		member, err := gzipLines(lines[:n])
		if err != nil {
			return o.sent, o.chunks(), err
		}
		if len(member) > ChunkLimit {
			return o.sent, o.chunks(), fmt.Errorf("a line of %d bytes does not fit a chunk", raw)
		}
		if len(o.data) > 0 && len(o.data)+len(member) > ChunkLimit {
			if err := o.write(ctx); err != nil {
				o.requeue(lines)
				return o.sent, o.chunks(), err
			}
			o.chunk, o.data = o.chunk+1, nil
		}
		o.data, o.dirty, o.sent = append(o.data, member...), true, o.sent+int64(n)
		lines = lines[n:]
	}
	return o.sent, o.chunks(), o.write(ctx)
}

func (o *Outbox) chunks() int {
	if len(o.data) > 0 {
		return o.chunk + 1
	}
	return o.chunk
}

func (o *Outbox) requeue(lines [][]byte) {
	o.mu.Lock()
	o.pending = append(lines, o.pending...)
	o.mu.Unlock()
}

func (o *Outbox) write(ctx context.Context) error {
	if !o.dirty {
		return nil
	}
	name := ChunkName(o.Job, o.Kind, o.Worker, o.chunk)
	if err := PutConfigMap(ctx, o.Client, o.Namespace, o.Job, name, o.Kind, nil, map[string][]byte{linesKey: o.data}); err != nil {
		return err
	}
	o.dirty = false
	return nil
}

func gzipLines(lines [][]byte) ([]byte, error) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	for _, l := range lines {
		zw.Write(l)
	}
	err := zw.Close()
	return b.Bytes(), err
}

// ChunkName names chunk k of a worker's lines of one kind.
func ChunkName(job, kind string, worker, k int) string {
	return job + "-" + kind + "-" + strconv.Itoa(worker) + "-" + strconv.Itoa(k)
}

// ReadLines hands every line the workers of job sent in chunks of kind
// to fn, with the worker's index; chunks are decoded in parallel, so fn
// must be safe for concurrent use. It returns the lines read per worker.
func ReadLines(ctx context.Context, client kubernetes.Interface, ns, job, kind string, workers int, fn func(worker int, line []byte) error) ([]int64, error) {
	list, err := List(ctx, client, ns, job, kind)
	if err != nil {
		return nil, fmt.Errorf("reading the workers' %s: %w", kind, err)
	}
	read := make([]atomic.Int64, workers)
	errs := make([]error, len(list))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	prefix := job + "-" + kind + "-"
	for i := range list {
		cm := &list[i]
		w, k, ok := chunkOf(strings.TrimPrefix(cm.Name, prefix))
		if !ok || !strings.HasPrefix(cm.Name, prefix) || w >= workers {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			err := eachLine(bytes.NewReader(cm.BinaryData[linesKey]), func(line []byte) error {
				read[w].Add(1)
				return fn(w, line)
			})
			if err != nil {
				errs[i] = fmt.Errorf("worker %d's %s, chunk %d: %w", w, kind, k, err)
			}
		})
	}
	wg.Wait()
	out := make([]int64, workers)
	for i := range read {
		out[i] = read[i].Load()
	}
	return out, errors.Join(errs...)
}

// chunkOf parses "WORKER-CHUNK".
func chunkOf(s string) (worker, chunk int, ok bool) {
	a, b, found := strings.Cut(s, "-")
	w, err1 := strconv.Atoi(a)
	k, err2 := strconv.Atoi(b)
	return w, k, found && err1 == nil && err2 == nil && w >= 0 && k >= 0
}

func eachLine(r io.Reader, fn func([]byte) error) error {
	zr, err := gzip.NewReader(r) // reads every member in turn
	if err != nil {
		return err
	}
	lines := bufio.NewScanner(zr)
	lines.Buffer(make([]byte, 64<<10), 16<<20)
	for lines.Scan() {
		if err := fn(lines.Bytes()); err != nil {
			return err
		}
	}
	return lines.Err()
}
