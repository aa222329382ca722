package sizing

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

func TestPlanStepsFollowTheCurveAheadOfDemand(t *testing.T) {
	t.Parallel()
	sc, err := scenarios.LoadShipped("evening-peak")
	if err != nil {
		t.Fatal(err)
	}
	_, _, limit, _ := knob(sc)
	lead := planLead(sc)
	steps := planSteps(sc, time.Hour, lead, limit)
	if len(steps) != 24 {
		t.Fatalf("%d steps for a day at 1h", len(steps))
	}
	curve := sc.Curve()
	for i, s := range steps {
		// The step serves its own hour and the lead after it.
		end := min(float64(i+1)*3600+lead, sc.Duration.Seconds()-1)
		if r := curve.Rate(end); r > s.PeakRate+1e-3 {
			t.Errorf("step %d: peak %g below the rate %g a lead after it", i, s.PeakRate, r)
		}
		if s.Count < 0 || s.Count > limit || (s.Analytic >= 0 && s.Count != s.Analytic) {
			t.Errorf("step %d: count %d from analytic %d (limit %d)", i, s.Count, s.Analytic, limit)
		}
	}
	// A schedule written into the scenario loads back and holds the counts.
	back, err := scenarios.Parse([]byte(Scheduled(sc, steps).YAML()), ".")
	if err != nil {
		t.Fatalf("the planned scenario does not load: %v", err)
	}
	for i, s := range steps {
		if got := back.Fleet.Policy.CountAt(s.AtSeconds, *back.Fleet.Policy.MinAvailable.Count); got != s.Count {
			t.Errorf("step %d: the planned scenario has %d, the plan %d", i, got, s.Count)
		}
	}
}

func TestPlanRefusesStepsItCannotFollow(t *testing.T) {
	t.Parallel()
	sc, err := scenarios.LoadShipped("evening-peak")
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []time.Duration{0, 10 * time.Second, 25 * time.Hour} {
		if err := checkStep(sc, step); !errors.Is(err, sim.ErrBadInput) {
			t.Errorf("--step %s: %v, want a bad-input refusal", step, err)
		}
	}
	if err := checkStep(sc, time.Hour); err != nil {
		t.Errorf("--step 1h: %v", err)
	}
}

// TestPlanFollowsAWave: on a curve that rises eightfold and falls, the
// plan meets the target on its verification days at less idle cost than
// the constant minimum.
func TestPlanFollowsAWave(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of simulated days")
	}
	doc, err := os.ReadFile("testdata/wave.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultPlanOptions()
	o.Step = 30 * time.Minute
	p, err := Plan(t.Context(), doc, "testdata", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plan %+v; schedule %.1f idle server-h, constant %d %.1f; %d repairs", p.Steps, p.Cost.IdleServerHours,
		p.Constant.Value, p.Constant.Cost.IdleServerHours, p.Repairs)
	if !p.Found || p.Days == nil || p.Days.Decision != results.Meets {
		t.Fatalf("no verified schedule: %s %+v", p.Reason, p.Days)
	}
	if !p.Constant.Found || p.Cost.IdleServerHours >= p.Constant.Cost.IdleServerHours {
		t.Errorf("the schedule (%.1f idle server-h) is not cheaper than the constant %d (%.1f)", p.Cost.IdleServerHours, p.Constant.Value, p.Constant.Cost.IdleServerHours)
	}
	for _, s := range p.Steps {
		if s.Count < 1 || s.Count > max(s.Analytic, p.Constant.Value)+p.Constant.Value {
			t.Errorf("step %s: count %d, far from the formula's %d and the constant %d", s.At, s.Count, s.Analytic, p.Constant.Value)
		}
	}
	if p.Day == nil || len(p.Day.Series.Values[results.SeriesReadyBuffer]) == 0 {
		t.Error("no day to chart")
	}
}
