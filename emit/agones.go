package emit

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// agonesWindow is a window with Agones' bufferSize (at least 1).
type agonesWindow struct {
	window
	Size     int
	SizeNote string
}

// agones is what the FleetAutoscaler is made of.
type agones struct {
	tz             string
	min, max       int
	minWhy, maxWhy string
}

// Agones writes a FleetAutoscaler for a plan verified under the Agones
// buffer policy: one Buffer policy for a constant count, else a Chain of
// daily Schedule policies with the most-used count as the default. It
// refuses what Check refuses.
func Agones(p *results.Plan, sc *scenarios.Scenario, o Options) ([]byte, error) {
	if err := Check(KindAgones, sc, o); err != nil {
		return nil, err
	}
	ws, err := windows(p, sc)
	if err != nil {
		return nil, err
	}
	b := sc.Fleet.Policy.Buffer
	a := agones{tz: o.Timezone, min: b.Min, minWhy: "fleet.policy.buffer.min"}
	a.max, a.maxWhy = replicaCap(sc, b.Max)
	all := make([]agonesWindow, len(ws))
	for i, w := range ws {
		all[i] = agonesWindow{window: w, Size: max(1, w.Count)}
		if w.Count < 1 {
			all[i].SizeNote = "; the plan's 0 raised to 1, Agones' least bufferSize"
		}
		if all[i].Size > a.max {
			return nil, fmt.Errorf("the plan's count %d from %s is above maxReplicas %d (%s)", w.Count, w.From, a.max, a.maxWhy)
		}
		if a.min > 0 && a.min < all[i].Size {
			a.min, a.minWhy = 0, fmt.Sprintf("fleet.policy.buffer.min %d is below a bufferSize, which Agones refuses: 0 (no floor)", b.Min)
		}
	}
	def := all[mostUsed(ws)]
	var scheduled []agonesWindow
	for _, w := range all {
		if w.Count != def.Count {
			scheduled = append(scheduled, w)
		}
	}
	policy := obj("type", "Buffer", "buffer", a.buffer(def, "the plan's one count"+def.SizeNote))
	heading := append([]string{"An Agones FleetAutoscaler that implements fleetbench's buffer plan for"}, planLines(p)...)
	if len(scheduled) > 0 {
		chain := list()
		for _, w := range scheduled {
			chain.Content = append(chain.Content, a.scheduled(w))
		}
		chain.Content = append(chain.Content, obj("id", "default", "type", "Buffer", "buffer", a.buffer(def,
			fmt.Sprintf("the plan's count the rest of the day (from %s and every window not listed above)%s", def.From, def.SizeNote))))
		policy = obj("type", "Chain", "chain", chain)
		heading = append(heading, "Schedule and Chain policies need Agones' ScheduledAutoscaler feature gate.",
			"The first entry whose schedule is active applies; the last is the default.")
	}
	sync, syncWhy := syncSeconds(sc)
	fleet := fleetName(sc, o)
	return encode(lead(obj(
		"apiVersion", "autoscaling.agones.dev/v1",
		"kind", "FleetAutoscaler",
		"metadata", meta(fleet+"-plan", o.Namespace),
		"spec", obj(
			"fleetName", fleet,
			"policy", policy,
			"sync", obj("type", "FixedInterval", "fixedInterval", obj("seconds", note(num(sync), "%s", syncWhy))))),
		heading...))
}

// buffer is a Buffer policy's parameters, the size commented with why.
func (a agones) buffer(w agonesWindow, why string) *yaml.Node {
	return obj(
		"bufferSize", note(num(w.Size), "%s", why),
		"minReplicas", note(num(a.min), "%s", a.minWhy),
		"maxReplicas", note(num(a.max), "%s", a.maxWhy))
}

// scheduled is a Chain entry: the window's Buffer policy, daily.
func (a agones) scheduled(w agonesWindow) *yaml.Node {
	return obj(
		"id", w.CronID,
		"type", "Schedule",
		"schedule", obj(
			"activePeriod", obj(
				"timezone", note(str(a.tz), "the scenario's 0h is midnight here"),
				"startCron", note(quoted(w.cron()), "the plan's step at %s", w.From),
				"duration", note(str(w.Duration), "until %s", w.To)),
			"policy", obj("type", "Buffer", "buffer", a.buffer(w, w.origin()+w.SizeNote))))
}

// mostUsed is the index of a window whose count covers the most time.
func mostUsed(ws []window) int {
	total := map[int]float64{}
	for _, w := range ws {
		total[w.Count] += seconds(w.Duration)
	}
	best := 0
	for i, w := range ws {
		if total[w.Count] > total[ws[best].Count] {
			best = i
		}
	}
	return best
}
