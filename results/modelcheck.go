package results

import (
	"fmt"
	"math"
	"strings"
)

// The model of a run must predict it within these (issue: each latency
// metric's p50 and p90 within 15%, each counter within max(2, 10%)).
const (
	ModelLatencyTolerance = 0.15
	ModelCounterTolerance = 0.10
	ModelCounterFloor     = 2
	// ModelWallFloor is the spread of a player's requests around the
	// medians the model of the run adds (claim, join, reconnect handshake:
	// 10–70 ms each, measured on the local cluster), in wall seconds;
	// times the speedup it is an absolute floor on a latency's allowed
	// error.
	ModelWallFloor = 0.05
	// ModelRankZ is how many standard errors of an empirical quantile's
	// rank (sqrt(q(1−q)/n) for n samples) the model's quantile band spans:
	// about 95%.
	ModelRankZ = 2
	// ModelJudgeLatency and ModelJudgeCounter: a value is judged only
	// when the smallest error the check could catch for it is below this
	// share of the model's value, so a run 30% slower (20% more of a
	// counter) than the model always fails it; a wider allowance checks
	// nothing such a value could show.
	ModelJudgeLatency = 0.30
	ModelJudgeCounter = 0.20
)

// byConstruction are the counters the model of a run shares with the run
// (the same seed gives the same arrivals): equal, but no agreement.
var byConstruction = map[string]bool{Players: true}

// modelCheckedMetrics are the latencies the model of a run predicts. The
// calibration's own inputs (pod_startup, node_boot) are left out: they
// agree by construction.
var modelCheckedMetrics = []string{TimeToRoom, MatchWait, AllocWait, ReconnectLatency, AutoscaleLag}

// modelCheckedCounters are the counters it predicts. allocation_waits is
// left out: the engines count it differently (see AllocationWaits).
var modelCheckedCounters = []string{Players, Matches, Allocations, AllocationFailures, Disconnects, Reconnects,
	RecoveriesOK, RecoveriesFailed, NodesAdded, NodesRemoved}

// ModelCheck is a measured run judged against the model of this run.
type ModelCheck struct {
	Deviations []Deviation `json:"deviations"`
}

// Deviation is one value compared.
type Deviation struct {
	Name     string  `json:"name"` // "time_to_room p90", "disconnects"
	Model    float64 `json:"model"`
	Measured float64 `json:"measured"`
	Allowed  float64 `json:"allowed"` // the largest |measured − model| that passes
	// Band is, for a percentile, the model's values over the ranks the
	// measured one could hold by sampling alone (its quantile ±
	// ModelRankZ standard errors at the measured count): a measurement in
	// it passes too. With few samples of a two-mode distribution (a
	// match's first and second players) a p50 can fall anywhere between
	// the modes, and the 15% rule alone judged that noise.
	Band []float64 `json:"band,omitempty"`
	Pass bool      `json:"pass"`
	// Resolution is the smallest |measured − model| the check could have
	// caught for this run: Allowed, widened to the band.
	Resolution float64 `json:"resolution"`
	// Judged is whether the value counts as a prediction checked:
	// Resolution below ModelJudgeLatency (ModelJudgeCounter) of the
	// model's value, and not
	// equal by construction; NotJudged says why not. A value outside even
	// its allowance fails, judged or not.
	Judged    bool   `json:"judged"`
	NotJudged string `json:"notJudged,omitempty"`
}

func (d Deviation) String() string {
	s := fmt.Sprintf("%s: measured %.4g, model of this run %.4g (allowed ±%.3g", d.Name, d.Measured, d.Model, d.Allowed)
	if len(d.Band) == 2 {
		s += fmt.Sprintf(", or the model's %.4g–%.4g at this sample size", d.Band[0], d.Band[1])
	}
	s += ")"
	if !d.Judged {
		s += "; not judged: " + d.NotJudged
	}
	return s
}

// CheckModel compares a measured run with the model of it.
func CheckModel(ofRun, measured *Run) *ModelCheck {
	c := &ModelCheck{}
	floor := ModelWallFloor * math.Max(1, measured.Meta.Speedup)
	for _, name := range modelCheckedMetrics {
		a, b := ofRun.Metrics[name], measured.Metrics[name]
		if a.Count == 0 && b.Count == 0 {
			continue
		}
		model, _ := ofRun.Histogram(name)
		for _, p := range []struct {
			stat      string
			q         float64
			model, me float64
		}{{"p50", 0.5, a.P50, b.P50}, {"p90", 0.9, a.P90, b.P90}} {
			allowed := math.Max(ModelLatencyTolerance*p.model, floor)
			c.add(name+" "+p.stat, p.model, p.me, allowed)
			why := ""
			if allowed == floor {
				why = fmt.Sprintf("the wall-clock floor ±%.3g s (%g s × speedup %g)", floor, ModelWallFloor, math.Max(1, measured.Meta.Speedup))
			}
			if model != nil && model.Count() > 0 && b.Count > 0 && c.band(model, p.q, b.Count) {
				why = fmt.Sprintf("the quantile band at %d samples", b.Count)
			}
			c.judge(ModelJudgeLatency, why)
		}
	}
	for _, name := range modelCheckedCounters {
		m, me := float64(ofRun.Counters[name]), float64(measured.Counters[name])
		c.add(name, m, me, math.Max(ModelCounterFloor, ModelCounterTolerance*m))
		why := fmt.Sprintf("the counter floor ±%d", ModelCounterFloor)
		if byConstruction[name] {
			why = "equal by construction (the same seed gives the same arrivals)"
		}
		c.judge(ModelJudgeCounter, why)
	}
	return c
}

// judge decides whether the last deviation is judged at fraction, why
// naming what sets its resolution (or why it cannot be judged at all).
func (c *ModelCheck) judge(fraction float64, why string) {
	c.Deviations[len(c.Deviations)-1].judge(fraction, why)
}

func (d *Deviation) judge(fraction float64, why string) {
	switch {
	case byConstruction[d.Name]:
		d.NotJudged = why
	case d.Model <= 0:
		d.NotJudged = "the model predicts 0: there is no relative error to judge"
	case d.Resolution >= fraction*d.Model:
		d.NotJudged = fmt.Sprintf("the smallest error it could catch, ±%.3g, is %.0f%% of the value (%s)", d.Resolution, 100*d.Resolution/d.Model, why)
	default:
		d.Judged = true
	}
}

// judgeRecorded judges a check read from a file written before checks
// said what they judged (no deviation has a resolution): each value's
// resolution is worked out again from its recorded allowance and band, so
// an old baseline's check reads as a new one's instead of as nothing judged.
func (c *ModelCheck) judgeRecorded() {
	for _, d := range c.Deviations {
		if d.Resolution != 0 || d.Judged || d.NotJudged != "" {
			return
		}
	}
	for i := range c.Deviations {
		d := &c.Deviations[i]
		d.Resolution = d.Allowed
		d.widenToBand()
		fraction, why := ModelJudgeCounter, "worked out from the allowance and band this older file recorded"
		if strings.Contains(d.Name, " ") {
			fraction = ModelJudgeLatency
		}
		if byConstruction[d.Name] {
			why = "equal by construction (the same seed gives the same arrivals)"
		}
		d.judge(fraction, why)
	}
}

// Tally counts the judged values, those of them within tolerance, and
// the values not judged.
func (c *ModelCheck) Tally() (within, judged, notJudged int) {
	for _, d := range c.Deviations {
		switch {
		case !d.Judged:
			notJudged++
		case d.Pass:
			within++
			judged++
		default:
			judged++
		}
	}
	return within, judged, notJudged
}

// Summary is the check in one line: "N of M judged values within
// tolerance; K not judged".
func (c *ModelCheck) Summary() string {
	within, judged, not := c.Tally()
	s := fmt.Sprintf("%d of %d judged values within tolerance; %d not judged", within, judged, not)
	if out := len(c.Failed()) - (judged - within); out > 0 {
		s += fmt.Sprintf(" (%d of them outside even their allowance)", out)
	}
	return s
}

func (c *ModelCheck) add(name string, model, measured, allowed float64) {
	c.Deviations = append(c.Deviations, Deviation{Name: name, Model: model, Measured: measured, Allowed: allowed,
		Pass: math.Abs(measured-model) <= allowed, Resolution: allowed})
}

// band gives the last deviation the model's quantile band for n measured
// samples, and passes it if the measurement is in the band; it reports
// whether the band, not the allowance, sets the resolution.
func (c *ModelCheck) band(model *Histogram, q float64, n int64) bool {
	d := &c.Deviations[len(c.Deviations)-1]
	se := ModelRankZ * math.Sqrt(q*(1-q)/float64(n))
	lo, hi := model.Quantile(math.Max(0, q-se)), model.Quantile(math.Min(1, q+se))
	d.Band = []float64{lo, hi}
	d.Pass = d.Pass || (d.Measured >= lo && d.Measured <= hi)
	return d.widenToBand()
}

// widenToBand widens the resolution to the band's reach from the model's
// value, reporting whether the band, not the allowance, sets it.
func (d *Deviation) widenToBand() bool {
	if len(d.Band) != 2 {
		return false
	}
	wide := math.Max(d.Band[1]-d.Model, d.Model-d.Band[0])
	if wide > d.Resolution {
		d.Resolution = wide
		return true
	}
	return false
}

// Failed are the deviations outside their tolerance.
func (c *ModelCheck) Failed() []Deviation {
	var out []Deviation
	for _, d := range c.Deviations {
		if !d.Pass {
			out = append(out, d)
		}
	}
	return out
}
