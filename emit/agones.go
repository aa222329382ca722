package emit

import (
	"fmt"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// agonesWindow is a window with Agones' bufferSize (at least 1).
type agonesWindow struct {
	window
	Size     int
	SizeNote string
}

// Agones writes a FleetAutoscaler for a plan verified under the Agones
// buffer policy: one Buffer policy for a constant count, else a Chain of
// daily Schedule policies with the most-used count as the default.
func Agones(p *results.Plan, sc *scenarios.Scenario, o Options) ([]byte, error) {
	b := sc.Fleet.Policy.Buffer
	if b == nil || b.Size == nil {
		return nil, fmt.Errorf("%w: --emit agones writes a Buffer policy; this scenario's fleet.policy is OpenKruiseGame's minAvailable (use --emit okg, or plan it under fleet.policy.buffer)", ErrPolicy)
	}
	ws, err := windows(p, sc)
	if err != nil {
		return nil, err
	}
	maxN, maxWhy := replicaCap(sc, b.Max)
	if maxN == 0 {
		return nil, fmt.Errorf("Agones needs maxReplicas: set fleet.policy.buffer.max (or a node pool) in the scenario")
	}
	data := struct {
		Plan                    *results.Plan
		Fleet, Namespace        string
		Timezone                string
		Chain                   bool
		Scheduled               []agonesWindow
		Default                 agonesWindow
		Min, Max, Sync          int
		MinWhy, MaxWhy, SyncWhy string
	}{Plan: p, Fleet: o.Fleet, Namespace: o.Namespace, Timezone: o.Timezone, Max: maxN, MaxWhy: maxWhy}
	data.Sync, data.SyncWhy = syncSeconds(sc)
	data.Min, data.MinWhy = b.Min, "fleet.policy.buffer.min"
	all := make([]agonesWindow, len(ws))
	for i, w := range ws {
		all[i] = agonesWindow{window: w, Size: max(1, w.Count)}
		if w.Count < 1 {
			all[i].SizeNote = "; the plan's 0 raised to 1, Agones' least bufferSize"
		}
		if all[i].Size > data.Max {
			return nil, fmt.Errorf("the plan's count %d from %s is above maxReplicas %d (%s)", w.Count, w.From, data.Max, maxWhy)
		}
		if data.Min > 0 && data.Min < all[i].Size {
			data.Min, data.MinWhy = 0, fmt.Sprintf("fleet.policy.buffer.min %d is below a bufferSize, which Agones refuses: 0 (no floor)", b.Min)
		}
	}
	def := mostUsed(ws)
	data.Default = all[def]
	for _, w := range all {
		if w.Count != ws[def].Count {
			data.Scheduled = append(data.Scheduled, w)
		}
	}
	data.Chain = len(data.Scheduled) > 0
	return render("agones.yaml", data)
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
