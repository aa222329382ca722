// Package emit writes the Kubernetes manifests that implement a buffer
// plan (`sim plan --emit`): an Agones FleetAutoscaler (a Buffer policy,
// or a Chain of Schedule policies for a schedule), or an OpenKruiseGame
// GameServerSet with the KEDA ScaledObject whose external scaler carries
// minAvailable. Every number is commented with where it came from.
package emit

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

//go:embed templates/*.yaml
var templates embed.FS

// ErrPolicy is wrapped when the manifests asked for do not implement the
// policy the plan was verified under.
var ErrPolicy = errors.New("the plan was verified under another policy")

// Options name what the manifests attach to.
type Options struct {
	Fleet     string // the Fleet or GameServerSet
	Namespace string
	// Timezone is where the scenario's 0h is midnight (a CronJob's and a
	// Schedule policy's timezone).
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
	if sc.Duration.Duration > 24*time.Hour {
		return nil, fmt.Errorf("a schedule repeats daily: the scenario's duration %s is more than a day", sc.Duration)
	}
	step, err := time.ParseDuration(p.Step)
	if err != nil || step%time.Minute != 0 {
		return nil, fmt.Errorf("a cron schedule needs whole-minute steps, not %s", p.Step)
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

// render executes a template into YAML.
func render(name string, data any) ([]byte, error) {
	t, err := template.New(name).Funcs(template.FuncMap{
		"join": func(v []int) string { return strings.Trim(strings.Join(strings.Fields(fmt.Sprint(v)), ", "), "[]") },
	}).ParseFS(templates, "templates/"+name)
	if err != nil {
		return nil, fmt.Errorf("emit template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("emit %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// replicaCap is the most rooms the fleet may have: the policy's max, or
// what the node pool holds, or (neither set) 0.
func replicaCap(sc *scenarios.Scenario, policyMax int) (int, string) {
	switch {
	case policyMax > 0:
		return policyMax, "the policy's max"
	case sc.Nodes.PodsPerNode > 0:
		return sc.Nodes.Max * sc.Nodes.PodsPerNode, fmt.Sprintf("nodes.max %d × podsPerNode %d", sc.Nodes.Max, sc.Nodes.PodsPerNode)
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
