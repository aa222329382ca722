package sim

import "math"

// minAttemptGap keeps a zero backoff from retrying in zero time.
const minAttemptGap = 0.01

// assign puts a match on an allocated server and starts (or resumes) its
// session. Fresh matches record time-to-room; displaced ones recovery.
func (mm *matchmaker) assign(m *model, id, s int32) {
	mt := &mm.matches[id]
	mt.server = s
	mt.state = matchPlaying
	mt.gen++
	m.fleet.servers[s].match = id
	m.rec.allocation(m)
	if mt.lostAt >= 0 {
		m.fleet.replaced(id)
		mm.resume(m, id)
		return
	}
	m.rec.count(cAllocations, 1)
	claim := m.extra(m.claim)
	m.rec.metric(mAllocWait, m.now-mt.formedAt+claim)
	for _, arrived := range mt.players {
		m.rec.metric(mMatchWait, mt.formedAt-arrived)
		m.rec.timeToRoom(arrived, m.now-arrived+claim+m.extra(m.join))
	}
	mt.end = m.now + m.session.Sample(m.rSessions)
	m.q.push(mt.end, evSessionEnd, id, mt.gen)
	mm.scheduleDisconnects(m, id)
}

// scheduleDisconnects draws, per player, whether the session drops once
// and when (uniform over what is left of it).
func (mm *matchmaker) scheduleDisconnects(m *model, id int32) {
	if mm.disconnectP <= 0 {
		return
	}
	mt := &mm.matches[id]
	for range mt.players {
		if m.rClients.Float64() < mm.disconnectP {
			m.q.push(m.now+m.rClients.Float64()*(mt.end-m.now), evDisconnect, id, mt.gen)
		}
	}
}

func (mm *matchmaker) sessionEnd(m *model, id int32, gen uint32) {
	mt := &mm.matches[id]
	if mt.state != matchPlaying || mt.gen != gen {
		return
	}
	m.fleet.release(m, mt.server)
	mm.release(id)
}

// disconnect drops one player whose room stays up: the client retries
// with backoff and recovers if state is readable within the window.
func (mm *matchmaker) disconnect(m *model, id int32, gen uint32) {
	mt := &mm.matches[id]
	if mt.state != matchPlaying || mt.gen != gen {
		return
	}
	m.rec.count(cDisconnects, 1)
	mm.recover(m, m.now, m.now, mt.end)
}

// serverLost is a crash, drain or node loss under a playing match: every
// player is disconnected, and the match is re-allocated as it was when
// its first player comes back (after its first backoff) and asks the
// matchmaker for the match's new room — not before: nobody asks earlier.
func (mm *matchmaker) serverLost(m *model, id int32) {
	mt := &mm.matches[id]
	mt.lostAt = m.now
	mt.remaining = mt.end - m.now
	mt.server = -1
	mt.state = matchDisplaced
	mt.gen++ // retire its session end and disconnects
	m.rec.count(cDisconnects, int64(len(mt.players)))
	first := math.Inf(1)
	for range mt.players {
		first = min(first, max(m.backoff(0), minAttemptGap))
	}
	m.q.push(m.now+first, evRejoin, id, mt.gen)
}

// rejoin re-allocates a displaced match once its first player asks.
func (mm *matchmaker) rejoin(m *model, id int32, gen uint32) {
	if mt := &mm.matches[id]; mt.state == matchDisplaced && mt.gen == gen {
		mm.allocate(m, id)
	}
}

// resume finishes the recovery of a displaced match on its new server.
func (mm *matchmaker) resume(m *model, id int32) {
	mt := &mm.matches[id]
	recovered := 0
	claimed := m.now + m.extra(m.rejoinClaim) // one claim; its players share it
	for range mt.players {
		if mm.recover(m, mt.lostAt, claimed, m.now+mt.remaining) {
			recovered++
		}
	}
	mt.lostAt = -1
	if recovered == 0 {
		m.fleet.release(m, mt.server)
		mm.release(id)
		return
	}
	mt.end = m.now + mt.remaining
	m.q.push(mt.end, evSessionEnd, id, mt.gen)
}

// recover plays a client's reconnect attempts from its disconnect at
// lost, as loadgen's players make them: the client waits backoff(0),
// then dials; a room that is gone sends it to the matchmaker, which
// answers once it has claimed the match's new room (ready), and it dials
// that room at once. An attempt succeeds when Redis answers; after a
// refusal it waits backoff(n) before attempt n+1. It fails once the
// recovery window is over; attempts after the session's end do not count.
func (mm *matchmaker) recover(m *model, lost, ready, end float64) bool {
	t := max(lost+max(m.backoff(0), minAttemptGap), ready)
	for n := 1; ; n++ {
		switch {
		case t-lost > mm.window:
			m.rec.count(cRecoveriesFailed, 1)
			m.rec.count(cRecoveryWindow, 1)
			return false
		case t >= end:
			return false
		case m.redisUp(t):
			m.rec.count(cReconnects, 1)
			m.rec.count(cRecoveriesOK, 1)
			m.rec.metric(mReconnectLatency, t-lost+m.extra(m.handshake))
			m.rec.reconnectAt(t)
			return true
		}
		t += max(m.backoff(n), minAttemptGap)
	}
}
