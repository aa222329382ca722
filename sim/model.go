// Package sim is fleetbench's model: a single-threaded, deterministic
// discrete-event simulation of players, matchmaking, the game-server fleet
// and its buffer controller, nodes and their autoscaler, rolling deploys,
// failures and reconnects. All randomness comes from the scenario's seed.
// Run simulates one scenario, RunAll many, Sweep a grid of them; package
// sizing searches the model's days for the buffer a scenario needs.
package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/fleetbench/fleetbench/internal/dist"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// The model's random streams (see scenarios' streams for why apart).
const (
	streamArrivals  = scenarios.ArrivalStream
	streamSessions  = scenarios.SessionStream
	streamStartup   = scenarios.StartupStream
	streamNodes     = scenarios.NodeStream
	streamClients   = scenarios.ClientStream
	streamFailures  = scenarios.FailureStream
	streamBackoff   = scenarios.BackoffStream
	streamOverheads = scenarios.OverheadStream
)

// model is the whole simulated world.
type model struct {
	sc  *scenarios.Scenario
	now float64
	end float64
	q   queue

	rArrivals, rSessions, rStartup, rNodes, rClients, rFailures, rBackoff *rand.Rand

	session, startup, provision, boot dist.Sampler
	// The extras are a real run's fixed overheads (the model of that run,
	// results.Calibration); 0 in a plain model run. Claims, joins and
	// handshakes are drawn from rOverheads when their distribution is known.
	startupExtra, bootExtra float64
	claim, join, handshake  results.Overhead
	rejoinClaim             results.Overhead // a displaced match's re-allocation
	rOverheads              *rand.Rand
	// warmStart: the rooms of the first reconcile are Ready at 0.
	warmStart bool

	arrivals arrivalGen
	mm       matchmaker
	fleet    fleet
	nodes    nodePool
	rec      recorder

	redisDown [][2]float64 // intervals when session state is unavailable
}

func newModel(sc *scenarios.Scenario, stepPercentiles bool) (*model, error) {
	m := &model{sc: sc, end: sc.Duration.Seconds()}
	rng := func(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(sc.Seed, stream)) }
	m.rArrivals, m.rSessions, m.rStartup = rng(streamArrivals), rng(streamSessions), rng(streamStartup)
	m.rNodes, m.rClients, m.rFailures, m.rBackoff = rng(streamNodes), rng(streamClients), rng(streamFailures), rng(streamBackoff)
	m.session = sc.Players.SessionLength.Sampler()
	m.startup = sc.Fleet.PodStartup.Sampler()
	m.provision = sc.Nodes.ProvisionDelay.Sampler()
	m.boot = sc.Nodes.BootTime.Sampler()
	m.rec.init(sc, stepPercentiles)
	m.arrivals.init(sc, m.rArrivals)
	m.mm.init(sc)
	if err := m.fleet.init(sc); err != nil {
		return nil, err
	}
	m.nodes.init(sc, 1)
	return m, nil
}

// run simulates the scenario to its end.
// ctxEvery is how many events pass between looks at the context: a look
// costs a lock, and a few thousand events take well under a millisecond.
const ctxEvery = 4096

// run plays the scenario to its end, or until ctx ends (its error).
func (m *model) run(ctx context.Context) error {
	m.nodes.start(m)
	m.arrivals.schedule(m)
	for i, ev := range m.sc.Timeline {
		m.q.push(ev.At.Seconds(), evTimeline, int32(i), 0)
	}
	for i, st := range m.sc.Fleet.Policy.Schedule {
		m.q.push(st.At.Seconds(), evSchedule, int32(i), 0)
	}
	if m.fleet.tick > 0 {
		m.q.push(0, evTick, 0, 0)
	}
	m.q.push(m.rec.step, evSample, 0, 0)
	m.fleet.reconcile(m)
	if m.warmStart {
		m.fleet.warmUp(m)
	}
	for n := 1; ; n++ {
		if n%ctxEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		// The next arrival is kept outside the heap and merged here: a
		// third fewer heap operations on the hot path.
		var ev event
		if next := m.arrivals.next; next < m.q.peek() {
			ev = event{t: next, kind: evArrival}
			m.arrivals.next = math.Inf(1)
		} else if m.q.len() > 0 {
			ev = m.q.pop()
		} else {
			break
		}
		if ev.t > m.end {
			break
		}
		m.advance(ev.t)
		m.dispatch(ev)
		switch {
		case ev.kind == evSample || ev.kind == evTick:
		case m.fleet.tick == 0:
			m.fleet.reconcile(m)
		default:
			m.fleet.maintain(m)
		}
	}
	m.advance(m.end)
	return nil
}

func (m *model) advance(t float64) {
	m.rec.integrate(m, t)
	m.now = t
}

func (m *model) dispatch(ev event) {
	switch ev.kind {
	case evArrival:
		m.arrivals.fire(m)
	case evMatchTimeout:
		m.mm.matchTimeout(m, ev.arg, ev.gen)
	case evAllocTimeout:
		m.mm.allocTimeout(m, ev.arg, ev.gen)
	case evServerReady:
		m.fleet.serverReady(m, ev.arg, ev.gen)
	case evSessionEnd:
		m.mm.sessionEnd(m, ev.arg, ev.gen)
	case evTick:
		m.fleet.reconcile(m)
		m.q.push(m.now+m.fleet.tick, evTick, 0, 0)
	case evSample:
		m.rec.sample(m)
		m.q.push(m.now+m.rec.step, evSample, 0, 0)
	case evNodeReady:
		m.nodes.nodeReady(m, ev.arg, ev.gen)
	case evNodeIdle:
		m.nodes.idleCheck(m, ev.arg, ev.gen)
	case evBatchClose:
		m.nodes.batchClose(m)
	case evTimeline:
		m.timeline(int(ev.arg))
	case evDisconnect:
		m.mm.disconnect(m, ev.arg, ev.gen)
	case evRejoin:
		m.mm.rejoin(m, ev.arg, ev.gen)
	case evDisruptionPass:
		m.nodes.disruptionPass(m)
	case evDisruptionValidate:
		m.nodes.disruptionValidate(m)
	case evSchedule:
		// The new count is seen by the controller's next pass: at once
		// when it acts on every event, else at its next tick.
		m.fleet.setCount(m.sc.Fleet.Policy.Schedule[ev.arg].Count)
	case evScaleDownWake:
		// Nothing to do: waking is enough for the event-driven controller.
	}
}

// redisUp reports whether session state can be read at t.
func (m *model) redisUp(t float64) bool {
	for _, iv := range m.redisDown {
		if t >= iv[0] && t < iv[1] {
			return false
		}
	}
	return true
}

// backoff is the client's delay before reconnect attempt n (0-based):
// extra is one instance of a real run's overhead: drawn from its
// distribution when it has one, else its median (0 in a plain run, which
// draws nothing, so its other streams stay as they were).
func (m *model) extra(o results.Overhead) float64 {
	if o.Drawn() {
		return o.Draw(m.rOverheads.Float64())
	}
	return o.Seconds
}

// min(max, base·2^n), with up to a jitter fraction taken off.
func (m *model) backoff(n int) float64 {
	b := m.sc.Players.Disconnect.Backoff
	return policy.Backoff(b.Base.Seconds(), b.Max.Seconds(), n, b.Jitter, m.rBackoff.Float64())
}

// fmtSeconds writes model seconds as a duration string ("20h0m0s").
func fmtSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}
