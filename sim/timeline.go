package sim

import (
	"fmt"
	"slices"

	"github.com/fleetbench/fleetbench/scenarios"
)

// timeline applies scenario event i.
func (m *model) timeline(i int) {
	ev := m.sc.Timeline[i]
	switch {
	case ev.RollingDeploy != nil:
		m.fleet.rollout()
		m.nodes.addVersion()
		m.rec.event(m.now, scenarios.KindRollingDeploy, ev.RollingDeploy.Version)
	case ev.NodeLoss != nil:
		lost := m.loseNodes(ev.NodeLoss.Count)
		m.rec.event(m.now, scenarios.KindNodeLoss, fmt.Sprintf("%d nodes", lost))
	case ev.Crash != nil:
		crashed := m.crashRooms(ev.Crash.Rooms)
		m.rec.event(m.now, scenarios.KindCrash, fmt.Sprintf("%d rooms", crashed))
	case ev.RedisRestart != nil:
		d := ev.RedisRestart.Downtime.Seconds()
		m.redisDown = append(m.redisDown, [2]float64{m.now, m.now + d})
		m.rec.event(m.now, scenarios.KindRedisRestart, fmt.Sprintf("down %s", fmtSeconds(d)))
	}
}

// loseNodes deletes up to n Ready nodes picked at random, with their pods.
// Rooms in play go last: a displaced match is re-allocated at once, and
// must not be seated on a room of another node lost in the same event.
func (m *model) loseNodes(n int) int {
	np := &m.nodes
	var ready []int32
	for i := range np.nodes {
		if np.nodes[i].state == nodeReady {
			ready = append(ready, int32(i))
		}
	}
	m.rFailures.Shuffle(len(ready), func(i, j int) { ready[i], ready[j] = ready[j], ready[i] })
	lost := ready[:min(n, len(ready))]
	onLost := func(sv *server) bool {
		return sv.state != srvFree && sv.state != srvPending && slices.Contains(lost, sv.node)
	}
	for _, id := range lost {
		np.removeNode(m, id)
	}
	for _, inPlay := range []bool{false, true} {
		for s := range m.fleet.servers {
			if sv := &m.fleet.servers[s]; onLost(sv) && (sv.state == srvAllocated) == inPlay {
				m.fleet.remove(m, int32(s))
			}
		}
	}
	return len(lost)
}

// crashRooms kills up to n Allocated servers picked at random.
func (m *model) crashRooms(n int) int {
	crashed := 0
	for ; crashed < n && len(m.fleet.allocList) > 0; crashed++ {
		s := m.fleet.allocList[m.rFailures.IntN(len(m.fleet.allocList))]
		m.fleet.remove(m, s)
	}
	return crashed
}
