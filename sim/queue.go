package sim

// eventKind says what an event does; its argument is an entity index.
type eventKind uint8

const (
	evArrival eventKind = iota
	evMatchTimeout
	evAllocTimeout
	evServerReady
	evSessionEnd
	evTick
	evSample
	evNodeReady
	evNodeIdle
	evBatchClose
	evTimeline
	evDisconnect
	evScaleDownWake
)

// event is ordered by (t, seq); seq makes ties deterministic (FIFO).
// gen invalidates events whose entity has moved on (lazy deletion).
type event struct {
	t    float64
	seq  uint64
	arg  int32
	gen  uint32
	kind eventKind
}

// queue is a 4-ary min-heap of events: shallower than a binary heap, so
// fewer cache misses per push/pop on the hot path.
type queue struct {
	ev  []event
	seq uint64
}

func (q *queue) less(i, j int) bool {
	a, b := &q.ev[i], &q.ev[j]
	return a.t < b.t || (a.t == b.t && a.seq < b.seq)
}

func (q *queue) push(t float64, kind eventKind, arg int32, gen uint32) {
	q.seq++
	q.ev = append(q.ev, event{t: t, seq: q.seq, arg: arg, gen: gen, kind: kind})
	i := len(q.ev) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !q.less(i, p) {
			break
		}
		q.ev[i], q.ev[p] = q.ev[p], q.ev[i]
		i = p
	}
}

func (q *queue) len() int { return len(q.ev) }

func (q *queue) pop() event {
	top := q.ev[0]
	n := len(q.ev) - 1
	q.ev[0] = q.ev[n]
	q.ev = q.ev[:n]
	i := 0
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		best := first
		for c := first + 1; c < first+4 && c < n; c++ {
			if q.less(c, best) {
				best = c
			}
		}
		if !q.less(best, i) {
			break
		}
		q.ev[i], q.ev[best] = q.ev[best], q.ev[i]
		i = best
	}
	return top
}
