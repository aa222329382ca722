package sim

import ()

type srvState uint8

const (
	srvFree      srvState = iota
	srvPending            // opsState None, not scheduled: no node has room
	srvStarting           // opsState None, on a node, starting up
	srvReady              // opsState None, Ready: allocatable
	srvAllocated          // opsState Allocated
	srvDoomed             // opsState WaitToBeDeleted: recycled, awaiting deletion
)

// server is one game-server pod.
type server struct {
	idleSince float64 // when it last became None (creation or release)
	started   float64 // when it was bound to a node
	index     int64   // ordinal: higher is newer (deletion order tie-break)
	version   int32
	node      int32
	match     int32
	readyPos  int32 // in its node's ready stack
	nonePos   int32 // in fleet.noneList
	allocPos  int32 // in fleet.allocList
	gen       uint32
	state     srvState
}

func (f *fleet) newServer(m *model) int32 {
	s := slot(&f.servers, &f.free)
	sv := &f.servers[s]
	f.nextIndex++
	*sv = server{idleSince: m.now, index: f.nextIndex, version: f.version, node: -1, match: -1, gen: sv.gen + 1, state: srvPending}
	f.live++
	f.pods++
	f.none++
	f.starting++
	f.liveByVersion[f.version]++
	sv.nonePos = int32(len(f.noneList))
	f.noneList = append(f.noneList, s)
	m.nodes.place(m, s)
	return s
}

// bound starts a server's startup once it has a node.
func (f *fleet) bound(m *model, s int32) {
	sv := &f.servers[s]
	sv.state = srvStarting
	sv.started = m.now
	m.q.push(m.now+m.startup.Sample(m.rStartup)+m.startupExtra, evServerReady, s, sv.gen)
}

func (f *fleet) serverReady(m *model, s int32, gen uint32) {
	sv := &f.servers[s]
	if sv.gen != gen || sv.state != srvStarting {
		return
	}
	m.rec.metric(mPodStartup, m.now-sv.started)
	f.markReady(m, s)
}

// warmUp makes the rooms that are starting Ready at once: those of the
// first reconcile, which a real run waits for before it starts. Their
// startups are not recorded, as the run's observer never sees them start.
func (f *fleet) warmUp(m *model) {
	for s := range f.servers {
		if f.servers[s].state == srvStarting {
			f.markReady(m, int32(s))
		}
	}
}

// markReady makes a starting server Ready and hands it to a waiting match
// or the node's ready stack.
func (f *fleet) markReady(m *model, s int32) {
	sv := &f.servers[s]
	sv.state = srvReady
	f.starting--
	f.ready++
	m.nodes.podReady(m, sv.node)
	if !m.mm.serverAvailable(m, s) {
		m.nodes.addReady(m, s)
	}
}

// takeReady allocates the best Ready server (newest version first, then
// by node load per the strategy), or returns -1.
func (f *fleet) takeReady(m *model) int32 {
	if f.ready == 0 {
		return -1
	}
	s := m.nodes.takeBest(m)
	f.allocate(m, s)
	return s
}

// allocate marks a Ready server (already out of the pool) Allocated.
func (f *fleet) allocate(m *model, s int32) {
	sv := &f.servers[s]
	sv.state = srvAllocated
	f.ready--
	f.none--
	f.removeNone(s)
	f.allocated++
	sv.allocPos = int32(len(f.allocList))
	f.allocList = append(f.allocList, s)
	m.nodes.loadChanged(m, sv.node, +1)
}

// release ends a server's match: reuse returns it to None, recycle marks
// it WaitToBeDeleted (Agones deletes at once; OpenKruiseGame waits for
// its controller).
func (f *fleet) release(m *model, s int32) {
	sv := &f.servers[s]
	f.unallocate(m, s)
	if f.reuse {
		sv.state = srvReady
		sv.idleSince = m.now
		f.none++
		f.ready++
		sv.nonePos = int32(len(f.noneList))
		f.noneList = append(f.noneList, s)
		if !m.mm.serverAvailable(m, s) {
			m.nodes.addReady(m, s)
		}
		return
	}
	sv.state = srvDoomed
	f.live--
	f.liveByVersion[sv.version]--
	f.doomed = append(f.doomed, s)
	if f.deleteOnRecycle {
		f.deleteDoomed(m)
	}
}

func (f *fleet) unallocate(m *model, s int32) {
	sv := &f.servers[s]
	f.allocated--
	last := f.allocList[len(f.allocList)-1]
	f.allocList[sv.allocPos] = last
	f.servers[last].allocPos = sv.allocPos
	f.allocList = f.allocList[:len(f.allocList)-1]
	sv.match = -1
	m.nodes.loadChanged(m, sv.node, -1)
}

func (f *fleet) removeNone(s int32) {
	pos := f.servers[s].nonePos
	last := f.noneList[len(f.noneList)-1]
	f.noneList[pos] = last
	f.servers[last].nonePos = pos
	f.noneList = f.noneList[:len(f.noneList)-1]
}

func (f *fleet) deleteDoomed(m *model) {
	for _, s := range f.doomed {
		if f.servers[s].state == srvDoomed {
			f.remove(m, s)
		}
	}
	f.doomed = f.doomed[:0]
}

// remove deletes a server in any state, freeing its node slot.
// An allocated server's match is displaced (crash or node loss).
func (f *fleet) remove(m *model, s int32) {
	sv := &f.servers[s]
	lostMatch := int32(-1)
	switch sv.state {
	case srvPending:
		m.nodes.unpend()
	case srvReady:
		m.nodes.removeReady(m, s)
	case srvAllocated:
		lostMatch = sv.match
		f.unallocate(m, s)
		f.live--
		f.liveByVersion[sv.version]--
	}
	switch sv.state {
	case srvPending, srvStarting, srvReady:
		f.live--
		f.none--
		f.liveByVersion[sv.version]--
		f.removeNone(s)
		if sv.state == srvReady {
			f.ready--
		} else {
			f.starting--
		}
	}
	if sv.state != srvPending && sv.node >= 0 {
		m.nodes.unbind(m, sv.node)
	}
	sv.state = srvFree
	sv.gen++
	f.pods--
	f.free = append(f.free, s)
	if lostMatch >= 0 {
		m.mm.serverLost(m, lostMatch)
	}
}

// slot returns the index of a reusable entity: the last freed one, or a
// new zero one appended. Entities live in slices indexed by int32 so the
// model allocates nothing per event once warm.
func slot[T any](items *[]T, free *[]int32) int32 {
	if n := len(*free); n > 0 {
		id := (*free)[n-1]
		*free = (*free)[:n-1]
		return id
	}
	var zero T
	*items = append(*items, zero)
	return int32(len(*items) - 1)
}
