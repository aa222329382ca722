package scenarios

import (
	"fmt"
	"math"
	"time"
)

// Upper bounds that keep a typo from asking the model for a terabyte.
const (
	maxDuration = 366 * 24 * time.Hour
	maxRate     = 1e6       // players/s
	maxCount    = 1_000_000 // servers, nodes, players per match
	maxPerNode  = 10_000
	maxEvents   = 10_000 // timeline entries
	maxSegments = 10_000 // arrival segments: a finer curve is a trace
)

// Validate returns every problem of the scenario at once as Errors, or nil.
func (s *Scenario) Validate() error {
	var e Errors
	if s.Name == "" {
		e.add("name", "must not be empty")
	}
	s.validateText(&e)
	if s.Duration.Duration <= 0 {
		e.add("duration", "must be > 0")
	}
	if s.Duration.Duration > maxDuration {
		e.add("duration", "must be at most %s", D(maxDuration))
	}
	positive(&e, "speedup", s.Speedup)
	s.validateArrivals(&e)
	s.validatePlayers(&e)
	s.validateFleet(&e)
	s.validateNodes(&e)
	s.validateTimeline(&e)
	s.validateSLO(&e)
	if len(e) > 0 {
		return e
	}
	return nil
}

func (s *Scenario) validateArrivals(e *Errors) {
	a := s.Arrivals
	if len(a.Segments) == 0 {
		e.add("arrivals.segments", "must have at least one segment")
	}
	if len(a.Segments) > maxSegments {
		e.add("arrivals.segments", "has %d segments, at most %d (a finer curve is a trace file)", len(a.Segments), maxSegments)
		return
	}
	for i, seg := range a.Segments {
		p := fmt.Sprintf("arrivals.segments[%d]", i)
		if seg.For == nil && i < len(a.Segments)-1 {
			e.add(p+".for", "required: only the last segment may run until the end")
		}
		if seg.For != nil && seg.For.Duration <= 0 {
			e.add(p+".for", "must be > 0")
		}
		n := 0
		if seg.Constant != nil {
			n++
			rate(e, p+".constant.rate", seg.Constant.Rate)
		}
		if seg.Step != nil {
			n++
			rate(e, p+".step.rate", seg.Step.Rate)
		}
		if l := seg.Linear; l != nil {
			n++
			rate(e, p+".linear.from", l.From)
			rate(e, p+".linear.to", l.To)
		}
		if sn := seg.Sine; sn != nil {
			n++
			rate(e, p+".sine.mean", sn.Mean)
			nonNegative(e, p+".sine.amplitude", sn.Amplitude)
			if sn.Amplitude > sn.Mean {
				e.add(p+".sine.amplitude", "must be ≤ mean (%g) so the rate stays ≥ 0", sn.Mean)
			}
			if sn.Period.Duration <= 0 {
				e.add(p+".sine.period", "must be > 0")
			}
		}
		if b := seg.Burst; b != nil {
			n++
			rate(e, p+".burst.extra", b.Extra)
			nonNegativeDuration(e, p+".burst.at", b.At)
			if b.Width.Duration <= 0 {
				e.add(p+".burst.width", "must be > 0")
			}
		}
		if seg.Trace != nil {
			n++
			if seg.Trace.File == "" {
				e.add(p+".trace.file", "must name a CSV file of t_seconds,rate rows")
			}
		}
		if n != 1 {
			e.add(p, "must have exactly one of constant, step, linear, sine, burst, trace (has %d)", n)
		}
	}
}

func (s *Scenario) validatePlayers(e *Errors) {
	p := s.Players
	if p.PerMatch < 1 {
		e.add("players.perMatch", "must be ≥ 1")
	}
	atMost(e, "players.perMatch", p.PerMatch, maxCount)
	period(e, "players.matchTimeout", p.MatchTimeout)
	distribution(e, "players.sessionLength", p.SessionLength)
	nonNegativeDuration(e, "players.allocation.timeout", p.Allocation.Timeout)
	fraction(e, "players.disconnect.probability", p.Disconnect.Probability)
	b := p.Disconnect.Backoff
	nonNegativeDuration(e, "players.disconnect.backoff.base", b.Base)
	if b.Max.Duration < b.Base.Duration {
		e.add("players.disconnect.backoff.max", "must be ≥ base (%s)", b.Base)
	}
	fraction(e, "players.disconnect.backoff.jitter", b.Jitter)
	nonNegativeDuration(e, "players.recoveryWindow", p.RecoveryWindow)
}

func (s *Scenario) validateNodes(e *Errors) {
	n := s.Nodes
	if n.PodsPerNode < 0 {
		e.add("nodes.podsPerNode", "must be ≥ 0 (0 = unlimited nodes)")
	}
	atMost(e, "nodes.podsPerNode", n.PodsPerNode, maxPerNode)
	atMost(e, "nodes.max", n.Max, maxCount)
	nonNegative(e, "nodes.hourlyCost", n.HourlyCost)
	if n.PodsPerNode <= 0 {
		return
	}
	if n.Min < 0 {
		e.add("nodes.min", "must be ≥ 0")
	}
	if n.Max < 1 || n.Max < n.Min {
		e.add("nodes.max", "must be ≥ 1 and ≥ min (%d)", n.Min)
	}
	if n.Initial < 0 || n.Initial > n.Max {
		e.add("nodes.initial", "must be between 0 and max (%d)", n.Max)
	}
	distribution(e, "nodes.provisionDelay", n.ProvisionDelay)
	distribution(e, "nodes.bootTime", n.BootTime)
	nonNegativeDuration(e, "nodes.scaleDownAfter", n.ScaleDownAfter)
	bound(e, "nodes.consolidationBudget", n.ConsolidationBudget)
}

func (s *Scenario) validateTimeline(e *Errors) {
	if len(s.Timeline) > maxEvents {
		e.add("timeline", "has %d entries, at most %d", len(s.Timeline), maxEvents)
		return
	}
	for i, ev := range s.Timeline {
		p := fmt.Sprintf("timeline[%d]", i)
		nonNegativeDuration(e, p+".at", ev.At)
		if ev.At.Duration > s.Duration.Duration {
			e.add(p+".at", "is after the scenario's duration (%s)", s.Duration)
		}
		n := 0
		if ev.RollingDeploy != nil {
			n++
			if ev.RollingDeploy.Version == "" {
				e.add(p+".rollingDeploy.version", "must not be empty")
			}
		}
		if ev.NodeLoss != nil {
			n++
			if ev.NodeLoss.Count < 1 {
				e.add(p+".nodeLoss.count", "must be ≥ 1")
			}
			atMost(e, p+".nodeLoss.count", ev.NodeLoss.Count, maxCount)
			if s.Nodes.PodsPerNode <= 0 {
				e.add(p+".nodeLoss", "needs a node model (nodes.podsPerNode > 0)")
			}
		}
		if ev.Crash != nil {
			n++
			if ev.Crash.Rooms < 1 {
				e.add(p+".crash.rooms", "must be ≥ 1")
			}
			atMost(e, p+".crash.rooms", ev.Crash.Rooms, maxCount)
		}
		if ev.RedisRestart != nil {
			n++
			nonNegativeDuration(e, p+".redisRestart.downtime", ev.RedisRestart.Downtime)
		}
		if n != 1 {
			e.add(p, "must have exactly one of rollingDeploy, nodeLoss, crash, redisRestart (has %d)", n)
		}
	}
}

func (s *Scenario) validateSLO(e *Errors) {
	percentiles(e, "slo.timeToRoom", s.SLO.TimeToRoom)
	percentiles(e, "slo.autoscaleLag", s.SLO.AutoscaleLag)
	if s.SLO.AllocationFailures != nil {
		fraction(e, "slo.allocationFailures.max", s.SLO.AllocationFailures.Max)
	}
	if s.SLO.StateRecovery != nil {
		fraction(e, "slo.stateRecovery.min", s.SLO.StateRecovery.Min)
	}
}

func percentiles(e *Errors, path string, p Percentiles) {
	for _, q := range p.List() {
		if q.Limit <= 0 {
			e.add(path+"."+q.Name, "must be > 0")
		}
	}
}

func distribution(e *Errors, path string, d Distribution) {
	if n := d.forms(); n != 1 {
		e.add(path, "must have exactly one of fixed, exponential, lognormal, weibull, uniform (has %d)", n)
		return
	}
	switch {
	case d.Fixed != nil:
		nonNegativeDuration(e, path+".fixed", *d.Fixed)
	case d.Exponential != nil:
		if d.Exponential.Mean.Duration <= 0 {
			e.add(path+".exponential.mean", "must be > 0")
		}
	case d.Lognormal != nil:
		if d.Lognormal.Median.Duration <= 0 {
			e.add(path+".lognormal.median", "must be > 0")
		}
		nonNegative(e, path+".lognormal.sigma", d.Lognormal.Sigma)
	case d.Weibull != nil:
		positive(e, path+".weibull.shape", d.Weibull.Shape)
		if d.Weibull.Scale.Duration <= 0 {
			e.add(path+".weibull.scale", "must be > 0")
		}
	case d.Uniform != nil:
		nonNegativeDuration(e, path+".uniform.min", d.Uniform.Min)
		if d.Uniform.Max.Duration < d.Uniform.Min.Duration {
			e.add(path+".uniform.max", "must be ≥ min (%s)", d.Uniform.Min)
		}
	}
}

func finite(e *Errors, path string, v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		e.add(path, "must be a finite number, not %v", v)
		return false
	}
	return true
}

func nonNegative(e *Errors, path string, v float64) {
	if finite(e, path, v) && v < 0 {
		e.add(path, "must be ≥ 0")
	}
}

// rate checks an arrival rate: finite, ≥ 0 and at most maxRate.
func rate(e *Errors, path string, v float64) {
	nonNegative(e, path, v)
	if v > maxRate {
		e.add(path, "must be at most %g players/s", float64(maxRate))
	}
}

// atMost reports an integer above its bound.
func atMost(e *Errors, path string, v, limit int) {
	if v > limit {
		e.add(path, "must be at most %d", limit)
	}
}

func positive(e *Errors, path string, v float64) {
	if finite(e, path, v) && v <= 0 {
		e.add(path, "must be > 0")
	}
}

func fraction(e *Errors, path string, v float64) {
	if finite(e, path, v) && (v < 0 || v > 1) {
		e.add(path, "must be between 0 and 1")
	}
}

func nonNegativeDuration(e *Errors, path string, d Duration) {
	if d.Duration < 0 {
		e.add(path, "must be ≥ 0")
	}
}

// period checks a duration that schedules a repeating event: 0 (off) or
// at least a second. A tiny positive one would have the model spin on it
// (a 1 ns sync is 86 trillion ticks a day); no controller this models
// runs faster than once a second (Agones' sync interval is whole seconds).
func period(e *Errors, path string, d Duration) {
	if d.Duration < 0 || (d.Duration > 0 && d.Duration < time.Second) {
		e.add(path, "must be 0 (off) or at least 1s, got %s", d)
	}
}

func oneOfString(e *Errors, path, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	e.add(path, "is %q; must be one of %q", v, allowed)
}
