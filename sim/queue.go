package sim

import "math"

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
	evRejoin
	evDisruptionPass
	evDisruptionValidate
	evSchedule
)

// event is ordered by (t, seq); seq makes ties deterministic (FIFO).
// gen invalidates events whose entity has moved on (lazy deletion).
// It is kept to 24 bytes: the heap's cache misses dominate the model.
type event struct {
	t    float64
	seq  uint32 // wraps after 4G events; ties that far apart cannot meet
	arg  int32
	gen  uint32
	kind eventKind
}

// queue is a 4-ary min-heap of events: shallower than a binary heap, so
// fewer cache misses per push/pop on the hot path.
type queue struct {
	ev  []event
	seq uint32
}

func (q *queue) less(i, j int) bool {
	a, b := &q.ev[i], &q.ev[j]
	return a.t < b.t || (a.t == b.t && int32(a.seq-b.seq) < 0)
}

func (q *queue) push(t float64, kind eventKind, arg int32, gen uint32) {
	q.seq++
	q.ev = append(q.ev, event{t: t, seq: q.seq, arg: arg, gen: gen, kind: kind})
	q.siftUp(len(q.ev) - 1)
}

func (q *queue) siftUp(i int) {
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

// pop removes the earliest event. It sifts the hole down to a leaf along
// the smallest children, then sifts the last element up from there
// (Floyd): fewer comparisons, since that element usually belongs low.
func (q *queue) pop() event {
	top := q.ev[0]
	n := len(q.ev) - 1
	last := q.ev[n]
	q.ev = q.ev[:n]
	if n == 0 {
		return top
	}
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
		q.ev[i] = q.ev[best]
		i = best
	}
	q.ev[i] = last
	q.siftUp(i)
	return top
}

// peek returns the earliest event's time, or +Inf.
func (q *queue) peek() float64 {
	if len(q.ev) == 0 {
		return math.Inf(1)
	}
	return q.ev[0].t
}
