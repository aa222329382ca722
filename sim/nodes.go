package sim

import (
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
)

type nodeState uint8

const (
	nodeRemoved nodeState = iota
	nodeBooting           // created by the autoscaler: provisioning, then booting
	nodeReady
)

// node is a machine holding up to perNode game-server pods.
type node struct {
	ready      [][]int32 // Ready servers per version (a stack)
	readyPos   []int32   // position in nodePool.readyBuckets[v][load], -1 if absent
	created    float64
	trigger    float64 // first Unschedulable pod of the batch that made it; <0 for initial nodes
	emptySince float64
	pods       int // pods bound, in any state
	load       int // Allocated servers (what Packed/Distributed look at)
	podPos     int32
	candPos    int32 // in disruption.candidates, -1 if not one
	gen        uint32
	state      nodeState
	lagDone    bool
}

// nodePool places pods on nodes and autoscales nodes like Karpenter:
// Unschedulable pods are batched (1 s idle, 10 s max), nodes for them are
// created and become Ready after provision + boot, and nodes empty for
// scaleDownAfter are consolidated in Karpenter's passes (consolidate.go). Without a node model (podsPerNode 0) a
// single unlimited node holds every pod.
type nodePool struct {
	nodes     []node
	unlimited bool
	perNode   int
	min, max  int
	count     int // booting + ready
	ready     int
	placement policy.Placement
	idleAfter float64

	disruption disruption

	// readyBuckets[v][load] lists nodes with a Ready server of version v,
	// by their load, so allocation finds the best node in O(perNode).
	readyBuckets [][][]int32
	readyCount   []int // Ready servers per version
	// podBuckets[pods] lists Ready nodes with room, by pods bound.
	podBuckets [][]int32

	pending      []int32 // FIFO of Unschedulable servers (stale entries skipped)
	pendingHead  int
	nPending     int
	inflightFree int // slots on nodes still booting

	batchOpen         bool
	batchStart        float64
	batchLast         float64
	batchFirstPending float64
}

func (np *nodePool) init(sc *scenarios.Scenario, wallScale float64) {
	n := sc.Nodes
	np.perNode = n.PodsPerNode
	np.unlimited = n.PodsPerNode <= 0
	np.min, np.max = n.Min, n.Max
	np.placement = sc.Fleet.Scheduling.Placement()
	np.idleAfter = n.ScaleDownAfter.Seconds()
	np.disruption.init(sc, wallScale)
	np.readyBuckets = [][][]int32{np.newLoadBuckets()}
	np.readyCount = []int{0}
	if !np.unlimited {
		np.podBuckets = make([][]int32, np.perNode)
	}
}

func (np *nodePool) newLoadBuckets() [][]int32 {
	if np.unlimited {
		return make([][]int32, 1)
	}
	return make([][]int32, np.perNode+1)
}

// start creates the initial nodes, Ready at time 0.
func (np *nodePool) start(m *model) {
	if np.unlimited {
		id := np.newNode(m, -1)
		np.nodes[id].state = nodeReady
		return
	}
	for range max(m.sc.Nodes.Initial, np.min) {
		id := np.newNode(m, -1)
		np.nodes[id].state = nodeReady
		np.ready++
		np.nodes[id].lagDone = true
		np.addPodBucket(id)
		np.markEmpty(m, id)
	}
}

func (np *nodePool) newNode(m *model, trigger float64) int32 {
	np.nodes = append(np.nodes, node{created: m.now, trigger: trigger, state: nodeBooting, podPos: -1, candPos: -1})
	id := int32(len(np.nodes) - 1)
	nd := &np.nodes[id]
	for range np.readyBuckets {
		nd.ready = append(nd.ready, nil)
		nd.readyPos = append(nd.readyPos, -1)
	}
	np.count++
	return id
}

// loadIndex is the bucket a node's load puts it in.
func (np *nodePool) loadIndex(id int32) int {
	if np.unlimited {
		return 0
	}
	return np.nodes[id].load
}

// addVersion makes room for a new fleet version.
func (np *nodePool) addVersion() {
	np.readyBuckets = append(np.readyBuckets, np.newLoadBuckets())
	np.readyCount = append(np.readyCount, 0)
	for i := range np.nodes {
		np.nodes[i].ready = append(np.nodes[i].ready, nil)
		np.nodes[i].readyPos = append(np.nodes[i].readyPos, -1)
	}
}

func (np *nodePool) addReady(m *model, s int32) {
	sv := &m.fleet.servers[s]
	v, nd := sv.version, &np.nodes[sv.node]
	sv.readyPos = int32(len(nd.ready[v]))
	nd.ready[v] = append(nd.ready[v], s)
	np.readyCount[v]++
	if len(nd.ready[v]) == 1 {
		np.bucketAdd(v, np.loadIndex(sv.node), sv.node)
	}
}

func (np *nodePool) removeReady(m *model, s int32) {
	sv := &m.fleet.servers[s]
	v, nd := sv.version, &np.nodes[sv.node]
	stack := nd.ready[v]
	last := stack[len(stack)-1]
	stack[sv.readyPos] = last
	m.fleet.servers[last].readyPos = sv.readyPos
	nd.ready[v] = stack[:len(stack)-1]
	np.readyCount[v]--
	if len(nd.ready[v]) == 0 {
		np.bucketRemove(v, np.loadIndex(sv.node), sv.node)
	}
}

// takeBest removes and returns the Ready server policy.BetterRoom picks:
// the newest version, then the node whose load the strategy prefers.
func (np *nodePool) takeBest(m *model) int32 {
	v := int32(len(np.readyCount) - 1)
	for np.readyCount[v] == 0 {
		v--
	}
	buckets := np.readyBuckets[v]
	var nodeID int32 = -1
	for i := range buckets {
		load := i
		if np.placement == policy.Packed {
			load = len(buckets) - 1 - i
		}
		if b := buckets[load]; len(b) > 0 {
			nodeID = b[len(b)-1]
			break
		}
	}
	stack := np.nodes[nodeID].ready[v]
	s := stack[len(stack)-1]
	np.removeReady(m, s)
	return s
}

// loadChanged moves a node between load buckets after an allocation (+1)
// or a release (−1) on it.
func (np *nodePool) loadChanged(m *model, id int32, delta int) {
	if np.unlimited {
		return
	}
	nd := &np.nodes[id]
	old := nd.load
	nd.load += delta
	for v := range nd.ready {
		if len(nd.ready[v]) > 0 {
			np.bucketRemove(int32(v), old, id)
			np.bucketAdd(int32(v), nd.load, id)
		}
	}
}

func (np *nodePool) bucketAdd(v int32, load int, id int32) {
	b := &np.readyBuckets[v][load]
	np.nodes[id].readyPos[v] = int32(len(*b))
	*b = append(*b, id)
}

func (np *nodePool) bucketRemove(v int32, load int, id int32) {
	b := np.readyBuckets[v][load]
	pos := np.nodes[id].readyPos[v]
	last := b[len(b)-1]
	b[pos] = last
	np.nodes[last].readyPos[v] = pos
	np.readyBuckets[v][load] = b[:len(b)-1]
	np.nodes[id].readyPos[v] = -1
}

// podReady records a node's autoscale lag when its first pod is Ready.
func (np *nodePool) podReady(m *model, id int32) {
	nd := &np.nodes[id]
	if nd.lagDone || nd.trigger < 0 {
		return
	}
	nd.lagDone = true
	m.rec.metric(mAutoscaleLag, m.now-nd.trigger)
}
