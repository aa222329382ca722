package sizing

import (
	"fmt"
	"testing"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// TestMoreBufferNeverHurtsADay measures what the sizing search assumes:
// under common random numbers (the same day's seed at every value), a day
// that meets every SLO at a value also meets them one value up. It walks
// each shipped scenario's count through the range where its days turn
// from missing to meeting and reports every day where a larger value
// misses what the smaller one met. The check's stated error rate does not
// rest on this (its answer is confirmed on days that chose nothing); the
// search's efficiency does, and the README states what is measured here.
//
// evening-peak is not monotone: on search day 10, 58 meets every SLO and 59
// misses p99. Pod startups are drawn from one stream in creation order, so
// one more room shifts every later room's startup: the days at two values
// share arrivals and sessions, not startups. With podStartup fixed (8 s),
// 58 and 59 both meet that day. The test asserts monotonicity only where
// it holds and logs the rest.
func TestMoreBufferNeverHurtsADay(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of simulated days")
	}
	type span struct {
		from, to int
		monotone bool
	}
	ranges := map[string]span{"evening-peak": {56, 72, false}, "steady": {0, 12, true}, "node-loss": {24, 40, true}, "rolling-deploy": {24, 40, true}}
	const days = 20
	for name, r := range ranges {
		t.Run(name, func(t *testing.T) {
			doc, err := scenarios.ShippedDocument(name)
			if err != nil {
				t.Fatal(err)
			}
			sc, knobName, _, _, err := sized(doc, ".")
			if err != nil {
				t.Fatal(err)
			}
			d := newDayRunner(t.Context(), doc, ".", knobName, 0, sim.Options{})
			met := map[int][]bool{}
			for v := r.from; v <= r.to; v++ {
				c, err := d.newTrial(v, sc.Seed)
				if err != nil {
					t.Fatal(err)
				}
				var perDay []bool
				c.inspect = func(r *results.Run) {
					r.Verdicts = results.Judge(r, c.sc.SLO)
					perDay = append(perDay, r.Passed())
				}
				if err := d.extend(c, days, days, nil); err != nil {
					t.Fatal(err)
				}
				met[v] = perDay
			}
			var broken []string
			turned := 0
			for v := r.from; v < r.to; v++ {
				for i := range days {
					if met[v][i] && !met[v+1][i] {
						broken = append(broken, fmt.Sprintf("day %d: met at %d, missed at %d", i, v, v+1))
					}
					if !met[v][i] && met[v+1][i] {
						turned++
					}
				}
			}
			t.Logf("%s, %s %d…%d over %d days: %d days turn from missing to meeting one value up, %d turn back", name, knobName, r.from, r.to, days, turned, len(broken))
			if turned == 0 {
				t.Errorf("no day turned from missing to meeting in %d…%d: the range says nothing", r.from, r.to)
			}
			if len(broken) > 0 && r.monotone {
				t.Errorf("more buffer hurt %d days: %v", len(broken), broken)
			}
		})
	}
}
