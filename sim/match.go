package sim

import (
	"github.com/fleetbench/fleetbench/scenarios"
)

type matchState uint8

const (
	matchFree matchState = iota
	matchForming
	matchWaiting // formed (or disrupted), waiting for a server
	matchPlaying
	matchDisplaced // its server is gone; no player has asked for another yet
)

// match is a group of players from forming to the end of its session.
type match struct {
	players   []float64 // arrival times
	formedAt  float64
	end       float64 // session end
	remaining float64 // session left when its server was lost
	lostAt    float64 // when its server was lost; <0 if never
	server    int32
	gen       uint32
	state     matchState
}

type waitEntry struct {
	id  int32
	gen uint32
}

// matchmaker forms matches of perMatch players and allocates them servers,
// waiting FIFO (with a timeout) or failing when no Ready server is free.
type matchmaker struct {
	matches     []match
	free        []int32
	forming     int32
	waiting     []waitEntry // FIFO with lazy removal: stale entries are skipped
	waitHead    int
	nWaiting    int
	perMatch    int
	formTimeout float64 // matchTimeout, seconds (0 = none)
	waitTimeout float64 // allocation.timeout, seconds (0 = none)
	requeue     bool
	wait        bool
	disconnectP float64
	window      float64
}

func (mm *matchmaker) init(sc *scenarios.Scenario) {
	p := sc.Players
	mm.forming = -1
	mm.perMatch = p.PerMatch
	mm.formTimeout = p.MatchTimeout.Seconds()
	mm.waitTimeout = p.Allocation.Timeout.Seconds()
	mm.requeue = p.OnTimeout == scenarios.Requeue
	mm.wait = p.Allocation.OnNoServer == scenarios.Wait
	mm.disconnectP = p.Disconnect.Probability
	mm.window = p.RecoveryWindow.Seconds()
}

func (mm *matchmaker) newMatch() int32 {
	id := slot(&mm.matches, &mm.free)
	mt := &mm.matches[id]
	mt.players = mt.players[:0]
	mt.lostAt, mt.server, mt.state = -1, -1, matchForming
	mt.gen++
	return id
}

func (mm *matchmaker) release(id int32) {
	mt := &mm.matches[id]
	mt.state = matchFree
	mt.gen++
	mm.free = append(mm.free, id)
}

func (mm *matchmaker) playerArrives(m *model, t float64) {
	if mm.forming < 0 {
		mm.forming = mm.newMatch()
		if mm.formTimeout > 0 && mm.perMatch > 1 {
			m.q.push(t+mm.formTimeout, evMatchTimeout, mm.forming, mm.matches[mm.forming].gen)
		}
	}
	mt := &mm.matches[mm.forming]
	mt.players = append(mt.players, t)
	if len(mt.players) >= mm.perMatch {
		mm.form(m)
	}
}

// matchTimeout starts a short-handed match or restarts the wait.
func (mm *matchmaker) matchTimeout(m *model, id int32, gen uint32) {
	if id != mm.forming || mm.matches[id].gen != gen {
		return
	}
	if mm.requeue {
		m.q.push(m.now+mm.formTimeout, evMatchTimeout, id, gen)
		return
	}
	mm.form(m)
}

func (mm *matchmaker) form(m *model) {
	id := mm.forming
	mm.forming = -1
	mt := &mm.matches[id]
	mt.formedAt = m.now
	mt.gen++ // retire the forming timeout
	m.rec.count(cMatches, 1)
	mm.allocate(m, id)
}

// allocate gives the match a Ready server, or queues or fails it.
func (mm *matchmaker) allocate(m *model, id int32) {
	if s := m.fleet.takeReady(m); s >= 0 {
		mm.assign(m, id, s)
		return
	}
	mt := &mm.matches[id]
	if !mm.wait {
		mm.fail(m, id)
		return
	}
	mt.state = matchWaiting
	if mt.lostAt < 0 { // a displaced match's wait is part of its recovery
		m.rec.count(cAllocationWaits, 1)
	}
	mm.waiting = append(mm.waiting, waitEntry{id, mt.gen})
	mm.nWaiting++
	if mm.waitTimeout > 0 {
		m.q.push(m.now+mm.waitTimeout, evAllocTimeout, id, mt.gen)
	}
}

// serverAvailable hands a newly Ready server to the longest-waiting match.
func (mm *matchmaker) serverAvailable(m *model, s int32) bool {
	for mm.waitHead < len(mm.waiting) {
		e := mm.waiting[mm.waitHead]
		mm.waitHead++
		if mt := &mm.matches[e.id]; mt.state == matchWaiting && mt.gen == e.gen {
			mm.nWaiting--
			mm.compactWaiting()
			m.fleet.allocate(m, s)
			mm.assign(m, e.id, s)
			return true
		}
	}
	mm.compactWaiting()
	return false
}

func (mm *matchmaker) compactWaiting() {
	if mm.waitHead > 1024 && mm.waitHead*2 > len(mm.waiting) {
		n := copy(mm.waiting, mm.waiting[mm.waitHead:])
		mm.waiting, mm.waitHead = mm.waiting[:n], 0
	}
}

func (mm *matchmaker) allocTimeout(m *model, id int32, gen uint32) {
	mt := &mm.matches[id]
	if mt.state != matchWaiting || mt.gen != gen {
		return
	}
	mm.nWaiting--
	mm.fail(m, id)
}

// fail drops a match that got no server. A displaced match's failure is
// not an allocation failure (its allocation succeeded once) but a failed
// recovery for each of its players.
func (mm *matchmaker) fail(m *model, id int32) {
	mt := &mm.matches[id]
	if mt.lostAt >= 0 {
		m.rec.count(cRecoveriesFailed, int64(len(mt.players)))
		m.rec.count(cRecoveryNoServer, int64(len(mt.players)))
	} else {
		m.rec.count(cAllocationFailures, 1)
		m.rec.failure(m)
	}
	mm.release(id)
}
