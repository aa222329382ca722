package sim

import (
	"math"
	"time"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// Metric and counter ids: the hot path indexes arrays, not maps.
const (
	mTimeToRoom = iota
	mMatchWait
	mAllocWait
	mReconnectLatency
	mAutoscaleLag
	mPodStartup
	mNodeBoot
	nMetrics
)

var metricNames = [nMetrics]string{
	results.TimeToRoom, results.MatchWait, results.AllocWait, results.ReconnectLatency,
	results.AutoscaleLag, results.PodStartup, results.NodeBoot,
}

const (
	cPlayers = iota
	cMatches
	cAllocations
	cAllocationWaits
	cAllocationFailures
	cDisconnects
	cReconnects
	cRecoveriesOK
	cRecoveriesFailed
	cRecoveryWindow
	cRecoveryNoServer
	cNodesAdded
	cNodesRemoved
	nCounters
)

var counterNames = [nCounters]string{
	results.Players, results.Matches, results.Allocations, results.AllocationWaits, results.AllocationFailures,
	results.Disconnects, results.Reconnects, results.RecoveriesOK, results.RecoveriesFailed,
	"recoveries_failed_window_expired", "recoveries_failed_no_server", results.NodesAdded, results.NodesRemoved,
}

// Per-step rate series.
const (
	rArrivals = iota
	rAllocations
	rFailures
	rReconnects
	nRates
)

var rateNames = [nRates]string{results.SeriesArrivals, results.SeriesAllocations, results.SeriesFailures, results.SeriesReconnects}

// recorder gathers the run's metrics, counters, series and cost.
type recorder struct {
	step     float64
	points   int
	hist     [nMetrics]*results.Histogram
	counters [nCounters]int64
	rates    [nRates][]float64
	gauges   map[string][]float64
	sampled  int
	ttrSteps *results.StepPercentiles // time_to_room percentiles by arrival step; nil: not kept

	nodeSec, serverSec, idleSec float64
	events                      []results.Event
}

func (r *recorder) init(sc *scenarios.Scenario, stepPercentiles bool) {
	step := results.StepFor(sc.Duration.Duration)
	r.step = step.Seconds()
	r.points = int(math.Ceil(sc.Duration.Seconds() / r.step))
	for i := range r.hist {
		r.hist[i] = results.NewHistogram()
	}
	for i := range r.rates {
		r.rates[i] = make([]float64, r.points)
	}
	r.gauges = map[string][]float64{}
	if stepPercentiles {
		r.ttrSteps = results.NewStepPercentiles(step)
	}
	for _, name := range []string{results.SeriesReadyBuffer, results.SeriesTarget, results.SeriesAllocated,
		results.SeriesStarting, results.SeriesNodes, results.SeriesPendingPods, results.SeriesWaitingMatch} {
		r.gauges[name] = make([]float64, 0, r.points)
	}
}

func (r *recorder) metric(id int, seconds float64) { r.hist[id].Record(seconds) }
func (r *recorder) count(id int, n int64)          { r.counters[id] += n }

// timeToRoom records a player's time to room, by its arrival's step too.
func (r *recorder) timeToRoom(arrived, seconds float64) {
	r.hist[mTimeToRoom].Record(seconds)
	if r.ttrSteps != nil {
		r.ttrSteps.Record(arrived, seconds)
	}
}

func (r *recorder) rate(id int, t float64) {
	if i := int(t / r.step); i < r.points {
		r.rates[id][i]++
	}
}

func (r *recorder) arrival(m *model) {
	r.counters[cPlayers]++
	r.rate(rArrivals, m.now)
}

func (r *recorder) allocation(m *model) { r.rate(rAllocations, m.now) }
func (r *recorder) failure(m *model)    { r.rate(rFailures, m.now) }
func (r *recorder) reconnectAt(t float64) {
	r.rate(rReconnects, t)
}

// integrate accumulates cost up to t at the current counts.
func (r *recorder) integrate(m *model, t float64) {
	dt := t - m.now
	if dt <= 0 {
		return
	}
	if !m.nodes.unlimited {
		r.nodeSec += float64(m.nodes.count) * dt
	}
	r.serverSec += float64(m.fleet.pods) * dt
	r.idleSec += float64(m.fleet.ready) * dt
}

// sample records the gauges at the end of a step.
func (r *recorder) sample(m *model) {
	if r.sampled >= r.points {
		return
	}
	r.sampled++
	f := &m.fleet
	g := r.gauges
	g[results.SeriesReadyBuffer] = append(g[results.SeriesReadyBuffer], float64(f.ready))
	g[results.SeriesTarget] = append(g[results.SeriesTarget], float64(f.policy.Target(f.status(m))))
	g[results.SeriesAllocated] = append(g[results.SeriesAllocated], float64(f.allocated))
	g[results.SeriesStarting] = append(g[results.SeriesStarting], float64(f.starting))
	nodes := 0.0
	if !m.nodes.unlimited {
		nodes = float64(m.nodes.count)
	}
	g[results.SeriesNodes] = append(g[results.SeriesNodes], nodes)
	g[results.SeriesPendingPods] = append(g[results.SeriesPendingPods], float64(m.nodes.nPending))
	g[results.SeriesWaitingMatch] = append(g[results.SeriesWaitingMatch], float64(m.mm.nWaiting))
}

func (r *recorder) event(t float64, kind, detail string) {
	r.events = append(r.events, results.Event{At: results.OffsetSeconds(t), Kind: kind, Detail: detail})
}

// run assembles the results.Run (without meta and verdicts).
func (r *recorder) run(m *model) *results.Run {
	for r.sampled < r.points { // a run ending mid-step samples its last state
		r.sample(m)
	}
	out := &results.Run{
		Metrics:  map[string]results.Metric{},
		Counters: map[string]int64{},
		Series:   results.Series{Step: time.Duration(r.step * float64(time.Second)), Values: map[string][]float64{}},
		Events:   r.events,
	}
	out.Histograms = map[string]*results.Histogram{}
	for i, h := range r.hist {
		if h.Count() > 0 {
			out.Histograms[metricNames[i]] = h
		}
	}
	for i, v := range r.counters {
		out.Counters[counterNames[i]] = v
	}
	for i, vals := range r.rates {
		perSec := make([]float64, len(vals))
		for k, v := range vals {
			perSec[k] = v / r.step
		}
		out.Series.Values[rateNames[i]] = perSec
	}
	for name, vals := range r.gauges {
		out.Series.Values[name] = vals
	}
	if r.ttrSteps != nil {
		out.Series.Values[results.SeriesTimeToRoomP50] = r.ttrSteps.Series(0.5, r.points)
		out.Series.Values[results.SeriesTimeToRoomP99] = r.ttrSteps.Series(0.99, r.points)
	}
	out.Cost = results.Cost{NodeSeconds: round3(r.nodeSec), ServerSeconds: round3(r.serverSec), IdleServerSeconds: round3(r.idleSec)}
	price := m.sc.Nodes.HourlyCost
	if m.nodes.unlimited {
		out.Cost.Money = round3(r.serverSec / 3600 * price)
	} else {
		out.Cost.Money = round3(r.nodeSec / 3600 * price)
	}
	return out
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
