// Package emit writes the Kubernetes manifests that implement a buffer
// plan (`sim plan --emit`): an Agones FleetAutoscaler (a Buffer policy,
// or a Chain of Schedule policies for a schedule), or an OpenKruiseGame
// GameServerSet with the KEDA ScaledObject whose external scaler carries
// minAvailable. Every number is commented with where it came from.
package emit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	// Time zones are checked against Go's copy of the tz database, so a
	// name refused or accepted does not depend on the host's zoneinfo.
	_ "time/tzdata"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// ErrPolicy is wrapped when the manifests asked for do not implement the
// policy the plan is (or was) verified under.
var ErrPolicy = errors.New("the plan is verified under another policy")

// Options name what the manifests attach to. Check says what each must
// be; OKG and Agones refuse what Check refuses.
type Options struct {
	// Fleet is the Fleet or GameServerSet; empty, the scenario's name.
	Fleet     string
	Namespace string
	// Timezone is where the scenario's 0h is midnight (a CronJob's and a
	// Schedule policy's timezone): a tz database name.
	Timezone string
}

// window is a run of equal counts: from At for Duration, daily.
type window struct {
	Count          int
	From, To       string // scenario times
	Hour, Minute   int
	Duration       string
	Analytic       int
	PeakRate       float64
	AnalyticByStep []int
	CronID         string
}

// windows merges the plan's steps into runs of equal counts. A daily
// cron repeats them, so the scenario must be a day at most and its steps
// whole minutes.
func windows(p *results.Plan, sc *scenarios.Scenario) ([]window, error) {
	if p == nil {
		return nil, errors.New("no plan to write manifests for")
	}
	if err := checkDuration(sc); err != nil {
		return nil, err
	}
	step, err := time.ParseDuration(p.Step)
	if err != nil || step <= 0 || step%time.Minute != 0 {
		return nil, fmt.Errorf("a cron schedule needs whole-minute steps, not %q", p.Step)
	}
	if len(p.Steps) == 0 {
		return nil, errors.New("the plan has no steps: nothing to write")
	}
	end := sc.Duration.Seconds()
	var out []window
	for _, s := range p.Steps {
		if n := len(out); n > 0 && out[n-1].Count == s.Count {
			out[n-1].AnalyticByStep = append(out[n-1].AnalyticByStep, s.Analytic)
			out[n-1].PeakRate = max(out[n-1].PeakRate, s.PeakRate)
			continue
		}
		at := time.Duration(s.AtSeconds * float64(time.Second))
		out = append(out, window{Count: s.Count, From: at.String(), Hour: int(at.Hours()) % 24, Minute: int(at.Minutes()) % 60,
			Analytic: s.Analytic, PeakRate: s.PeakRate, AnalyticByStep: []int{s.Analytic},
			CronID: fmt.Sprintf("from-%02dh%02d", int(at.Hours())%24, int(at.Minutes())%60)})
	}
	for i := range out {
		to := end
		if i+1 < len(out) {
			d, _ := time.ParseDuration(out[i+1].From)
			to = d.Seconds()
		}
		from, _ := time.ParseDuration(out[i].From)
		out[i].To = time.Duration(to * float64(time.Second)).String()
		out[i].Duration = (time.Duration(to*float64(time.Second)) - from).String()
	}
	return out, nil
}

// replicaCap is the most rooms the fleet may have: the policy's max, or
// what the node pool holds, or (neither set) 0.
func replicaCap(sc *scenarios.Scenario, policyMax int) (int, string) {
	n := sc.ReplicaCap() // the model's cap too (its emitted HPA scales up by it)
	switch {
	case policyMax > 0:
		return n, "the policy's max"
	case n > 0:
		return n, fmt.Sprintf("nodes.max %d × podsPerNode %d", sc.Nodes.Max, sc.Nodes.PodsPerNode)
	}
	return 0, ""
}

// syncSeconds is the controller's period in whole seconds (at least one:
// a scenario whose controller acts on every event has no period).
func syncSeconds(sc *scenarios.Scenario) (int, string) {
	if s := int(sc.Fleet.SyncInterval.Seconds()); s >= 1 {
		return s, fmt.Sprintf("fleet.syncInterval %s", sc.Fleet.SyncInterval)
	}
	return 1, "fleet.syncInterval is 0 (act on every change): the shortest period there is"
}

func seconds(d string) float64 {
	v, _ := time.ParseDuration(d)
	return v.Seconds()
}

// cron is the daily schedule that starts a window.
func (w window) cron() string { return fmt.Sprintf("%d %d * * *", w.Minute, w.Hour) }

// origin says where the window's count came from.
func (w window) origin() string {
	by := make([]string, len(w.AnalyticByStep))
	for i, a := range w.AnalyticByStep {
		by[i] = strconv.Itoa(a)
	}
	return fmt.Sprintf("the plan's count from %s (analytic %s at up to %.3g players/s)", w.From, strings.Join(by, ", "), w.PeakRate)
}

// planLines say what the plan is, for the manifests' heading; the
// scenario's name and the knob are free text, which comment() cleans.
func planLines(p *results.Plan) []string {
	verified := fmt.Sprintf("%.0f s ahead of its demand and verified by the model", p.LeadSeconds)
	if d := p.Days; d != nil {
		verified += fmt.Sprintf(" on %d of %d days (%s the target)", d.Met, d.Days, d.Decision)
	}
	return []string{fmt.Sprintf("scenario %s: %s per %s, each step sized", p.Scenario, p.Knob, p.Step), verified + "."}
}
