package sim

import (
	"math"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
)

// place schedules a new pod: on a Ready node with room, chosen by the
// strategy, or Unschedulable (pending) for the autoscaler.
func (np *nodePool) place(m *model, s int32) {
	if np.unlimited {
		np.bind(m, s, 0)
		return
	}
	for i := range np.podBuckets {
		pods := i
		if np.placement == policy.Packed { // fullest node with room
			pods = len(np.podBuckets) - 1 - i
		}
		if b := np.podBuckets[pods]; len(b) > 0 {
			np.bind(m, s, b[len(b)-1])
			return
		}
	}
	np.pending = append(np.pending, s)
	np.nPending++
	np.requestCapacity(m)
}

func (np *nodePool) bind(m *model, s, id int32) {
	m.fleet.servers[s].node = id
	nd := &np.nodes[id]
	if !np.unlimited {
		np.removePodBucket(id)
		nd.pods++
		np.addPodBucket(id)
	} else {
		nd.pods++
	}
	nd.gen++ // no longer empty: retire its idle check
	np.uncandidate(id)
	m.fleet.bound(m, s)
}

// unbind frees a pod's slot; the slot goes to the oldest pending pod.
func (np *nodePool) unbind(m *model, id int32) {
	nd := &np.nodes[id]
	if np.unlimited {
		nd.pods--
		return
	}
	np.removePodBucket(id)
	nd.pods--
	if nd.state != nodeReady {
		return
	}
	np.addPodBucket(id)
	if s := np.popPending(m); s >= 0 {
		np.bind(m, s, id)
		return
	}
	if nd.pods == 0 {
		np.markEmpty(m, id)
	}
}

// unpend forgets a pending pod that was deleted before it was scheduled.
func (np *nodePool) unpend() { np.nPending-- }

func (np *nodePool) popPending(m *model) int32 {
	for np.pendingHead < len(np.pending) {
		s := np.pending[np.pendingHead]
		np.pendingHead++
		if m.fleet.servers[s].state == srvPending && m.fleet.servers[s].node < 0 {
			np.nPending--
			if np.pendingHead > 1024 && 2*np.pendingHead > len(np.pending) {
				n := copy(np.pending, np.pending[np.pendingHead:])
				np.pending, np.pendingHead = np.pending[:n], 0
			}
			return s
		}
	}
	return -1
}

func (np *nodePool) addPodBucket(id int32) {
	nd := &np.nodes[id]
	if nd.pods >= np.perNode {
		nd.podPos = -1
		return
	}
	nd.podPos = int32(len(np.podBuckets[nd.pods]))
	np.podBuckets[nd.pods] = append(np.podBuckets[nd.pods], id)
}

func (np *nodePool) removePodBucket(id int32) {
	nd := &np.nodes[id]
	if nd.podPos < 0 {
		return
	}
	b := np.podBuckets[nd.pods]
	last := b[len(b)-1]
	b[nd.podPos] = last
	np.nodes[last].podPos = nd.podPos
	np.podBuckets[nd.pods] = b[:len(b)-1]
	nd.podPos = -1
}

func (np *nodePool) markEmpty(m *model, id int32) {
	nd := &np.nodes[id]
	nd.emptySince = m.now
	nd.gen++
	m.q.push(m.now+np.idleAfter, evNodeIdle, id, nd.gen)
}

func (np *nodePool) removeNode(m *model, id int32) {
	nd := &np.nodes[id]
	np.removePodBucket(id)
	np.uncandidate(id)
	if nd.state == nodeReady {
		np.ready--
	}
	nd.state = nodeRemoved
	nd.gen++
	np.count--
	m.rec.count(cNodesRemoved, 1)
}

// requestCapacity opens or extends the autoscaler's batch when pending
// pods exceed what booting nodes will hold.
func (np *nodePool) requestCapacity(m *model) {
	if np.nPending <= np.inflightFree {
		return
	}
	if !np.batchOpen {
		np.batchOpen = true
		np.batchStart = m.now
		np.batchFirstPending = m.now
		m.q.push(m.now+scenarios.BatchIdle, evBatchClose, 0, 0)
	}
	np.batchLast = m.now
}

// batchClose provisions nodes for the batch's pending pods once the
// batch has been idle for 1 s or open for 10 s.
func (np *nodePool) batchClose(m *model) {
	if !np.batchOpen {
		return
	}
	if due := math.Min(np.batchLast+scenarios.BatchIdle, np.batchStart+scenarios.BatchMax); m.now < due {
		m.q.push(due, evBatchClose, 0, 0)
		return
	}
	np.batchOpen = false
	need := np.nPending - np.inflightFree
	if need <= 0 {
		return
	}
	k := min((need+np.perNode-1)/np.perNode, np.max-np.count)
	for range k {
		id := np.newNode(m, np.batchFirstPending)
		np.inflightFree += np.perNode
		m.rec.count(cNodesAdded, 1)
		m.q.push(m.now+m.provision.Sample(m.rNodes)+m.boot.Sample(m.rNodes)+m.bootExtra, evNodeReady, id, np.nodes[id].gen)
	}
}

func (np *nodePool) nodeReady(m *model, id int32, gen uint32) {
	nd := &np.nodes[id]
	if nd.gen != gen || nd.state != nodeBooting {
		return
	}
	nd.state = nodeReady
	np.ready++
	np.inflightFree -= np.perNode
	m.rec.metric(mNodeBoot, m.now-nd.created)
	np.addPodBucket(id)
	for nd.pods < np.perNode {
		s := np.popPending(m)
		if s < 0 {
			break
		}
		np.bind(m, s, id)
	}
	if nd.pods == 0 {
		// Its pods found room elsewhere: this scale-up served nobody.
		nd.lagDone = true
		np.markEmpty(m, id)
	}
	if np.nPending > 0 {
		np.requestCapacity(m)
	}
}
