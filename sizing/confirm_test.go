package sizing

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/sim"
)

// oracleDoc is a scenario whose days a fake runner decides: a day meets
// its one SLO (no allocation failure) with a share that depends on the
// count each hour has, so every answer's truth is known.
const oracleDoc = `apiVersion: fleetbench/v1alpha1
kind: Scenario
name: oracle
seed: %d
duration: 2h
arrivals: {segments: [{constant: {rate: 1}}]}
players: {perMatch: 2, sessionLength: {exponential: {mean: 2m}}}
fleet: {policy: {minAvailable: {count: 0, max: 200}}, syncInterval: 30s}
nodes: {podsPerNode: 0}
slo: {allocationFailures: {max: 0}}
`

// oracle fails an hour of a day, independently of every other hour, value
// and day (no common random numbers: the adversarial case for a walk that
// judges many values on the same days), with probability miss when the
// hour's count is below need[hour], else never. A day meets its SLO when
// no hour failed: (1 − miss)^k of days, k the hours below need.
type oracle struct {
	need []int
	miss float64
}

func (o oracle) run(_ context.Context, jobs []sim.Job) ([]*results.Run, error) {
	out := make([]*results.Run, len(jobs))
	for i, j := range jobs {
		sc := j.Scenario
		failures := map[bool]int64{}
		series := make([]float64, 120)
		for hour, need := range o.need {
			count := *sc.Fleet.Policy.MinAvailable.Count
			for _, st := range sc.Fleet.Policy.Schedule {
				if st.At.Duration <= time.Duration(hour)*time.Hour {
					count = st.Count
				}
			}
			h := splitmix(sc.Seed ^ splitmix(uint64(hour)<<32|uint64(count)))
			fail := count < need && float64(h>>11)/(1<<53) < o.miss
			failures[fail]++
			if fail {
				for m := range 60 {
					series[hour*60+m] = 1
				}
			}
		}
		out[i] = &results.Run{
			Counters: map[string]int64{results.Allocations: 100, results.AllocationFailures: failures[true], results.AllocationWaits: 1},
			Series:   results.Series{Step: time.Minute, Values: map[string][]float64{results.SeriesFailures: series, results.SeriesWaitingMatch: series}},
		}
	}
	return out, nil
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// TestCheckWrongMeetsStaysWithinTheRuleOverReplays replays the whole check
// (search, the walk up from a start below the threshold, confirmation) on
// a case whose answer is known — every value below 40 meets every SLO on
// a share 0.9499 of days, just under the target 0.95 — and counts how
// often each stage calls a value below 40 verified. The walk alone judges
// several such values on the same days and is wrong more often than the
// day rule's 2.5%; the confirmed answer must stay within it.
func TestCheckWrongMeetsStaysWithinTheRuleOverReplays(t *testing.T) {
	if testing.Short() {
		t.Skip("a thousand replays of the check")
	}
	const replays, threshold = 1000, 40
	o := DefaultCheckOptions()
	o.Workers = 1
	o.RunJobs = oracle{need: []int{threshold, threshold}, miss: 1 - math.Sqrt(0.9499)}.run
	walkWrong, wrong, found := 0, 0, 0
	for i := range replays {
		doc := fmt.Appendf(nil, oracleDoc, 1_000_000*(i+1))
		rep, err := Check(t.Context(), doc, ".", o)
		if err != nil {
			t.Fatal(err)
		}
		v := rep.Verified
		if v.Days != nil && v.Proposed < threshold {
			walkWrong++
		}
		if v.Found {
			found++
			if v.Min < threshold {
				wrong++
			}
		}
	}
	t.Logf("%d replays: the walk proposed a value below %d in %d (%.2f%%); %d answers confirmed, %d of them below it (%.2f%%)",
		replays, threshold, walkWrong, 100*float64(walkWrong)/replays, found, wrong, 100*float64(wrong)/replays)
	// Binomial noise on 1000 replays at 2.5% is ±1% (two sigma).
	if rate := float64(wrong) / replays; rate > 0.035 {
		t.Errorf("confirmed answers below the threshold in %.2f%% of replays: the rule promises ≤ 2.5%%", rate*100)
	}
	if found < replays*9/10 {
		t.Errorf("only %d of %d replays confirmed an answer: the confirmation refuses too often to be useful", found, replays)
	}
}

// TestPlanWrongMeetsStaysWithinTheRuleOverReplays replays the whole plan
// (the check, repairs on the search days, the trim, repairs on the
// verification days, confirmation) on a case whose answer is known: the
// first hour needs 30 rooms and the second 60, and an hour below its need
// fails on 5.01% of days, so a schedule below either meets every SLO on
// at most 0.9499 of days. A confirmed schedule below a need is wrong.
func TestPlanWrongMeetsStaysWithinTheRuleOverReplays(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of replays of the plan")
	}
	const replays = 300
	need := []int{30, 60}
	o := DefaultPlanOptions()
	o.Workers = 1
	o.RunJobs = oracle{need: need, miss: 0.0501}.run
	wrong, found, repaired := 0, 0, 0
	for i := range replays {
		doc := fmt.Appendf(nil, oracleDoc, 1_000_000*(i+1))
		p, err := Plan(t.Context(), doc, ".", o)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Found {
			continue
		}
		found++
		if p.Repairs > 0 {
			repaired++
		}
		for k, st := range p.Steps {
			if st.Count < need[k] {
				wrong++
				break
			}
		}
	}
	t.Logf("%d replays: %d schedules confirmed (%d after repairs), %d of them below a need (%.2f%%)",
		replays, found, repaired, wrong, 100*float64(wrong)/replays)
	// Binomial noise on 300 replays at 2.5% is ±1.8% (two sigma).
	if rate := float64(wrong) / replays; rate > 0.043 {
		t.Errorf("confirmed schedules below a need in %.2f%% of replays: the rule promises ≤ 2.5%%", rate*100)
	}
	if found < replays*8/10 {
		t.Errorf("only %d of %d replays confirmed a schedule", found, replays)
	}
}
