package emit

import (
	"fmt"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// KubectlImage is the image the schedule's CronJobs run kubectl from.
const KubectlImage = "registry.k8s.io/kubectl:v1.34.0"

// OKG writes a GameServerSet and the KEDA ScaledObject whose external
// scaler carries minAvailable, for a plan verified under OpenKruiseGame's
// minAvailable; a schedule adds one CronJob per step that sets it.
func OKG(p *results.Plan, sc *scenarios.Scenario, o Options) ([]byte, error) {
	m := sc.Fleet.Policy.MinAvailable
	if m == nil || m.Count == nil {
		return nil, fmt.Errorf("%w: --emit okg writes OpenKruiseGame's minAvailable; this scenario's fleet.policy is the Agones buffer (use --emit agones, or plan it under fleet.policy.minAvailable.count)", ErrPolicy)
	}
	ws, err := windows(p, sc)
	if err != nil {
		return nil, err
	}
	maxN, maxWhy := replicaCap(sc, m.Max)
	if maxN == 0 {
		return nil, fmt.Errorf("KEDA needs maxReplicaCount: set fleet.policy.minAvailable.max (or a node pool) in the scenario")
	}
	data := struct {
		Plan                              *results.Plan
		Fleet, Namespace, Timezone        string
		Initial, Start, Max, Sync         int
		StartWhy, MaxWhy, SyncWhy         string
		MaxUnavailable, MaxUnavailableWhy string
		Deadband                          struct{ Replicas, Ignored int }
		Windows                           []window
		KubectlImage                      string
	}{Plan: p, Fleet: o.Fleet, Namespace: o.Namespace, Timezone: o.Timezone, Initial: ws[0].Count, Max: maxN, MaxWhy: maxWhy,
		KubectlImage: KubectlImage, MaxUnavailable: "25%", MaxUnavailableWhy: "OpenKruiseGame's default"}
	data.Sync, data.SyncWhy = syncSeconds(sc)
	if r := sc.Fleet.Update.RollingUpdate; r != nil {
		data.MaxUnavailable, data.MaxUnavailableWhy = r.MaxUnavailable.String(), "fleet.update.rollingUpdate.maxUnavailable"
	}
	data.Start, data.StartWhy = ws[0].Count, "the plan's one count"
	if len(ws) > 1 {
		data.Windows = ws
		for _, w := range ws {
			data.Start = max(data.Start, w.Count)
		}
		data.StartWhy = "the plan's largest count, until the first CronJob sets the step's"
	}
	// At the plan's largest fleet (the day simulated, else the cap), what
	// the HPA's default tolerance hides.
	data.Deadband.Replicas = maxN
	if d := p.Day; d != nil {
		data.Deadband.Replicas = peakFleet(d)
	}
	data.Deadband.Ignored = data.Deadband.Replicas / 10
	return render("okg.yaml", data)
}

// peakFleet is the most rooms (in play, idle or starting) on the day.
func peakFleet(r *results.Run) int {
	v := r.Series.Values
	peak := 0.0
	for i := range v[results.SeriesAllocated] {
		n := v[results.SeriesAllocated][i]
		if i < len(v[results.SeriesReadyBuffer]) {
			n += v[results.SeriesReadyBuffer][i]
		}
		if i < len(v[results.SeriesStarting]) {
			n += v[results.SeriesStarting][i]
		}
		peak = max(peak, n)
	}
	return int(peak)
}
