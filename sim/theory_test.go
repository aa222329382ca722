package sim

import (
	"math"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// baseStock is the base-stock reference model: Poisson allocations of
// rate λ, one server each, a buffer of s acting on every event, startup
// lead time exponential with the given mean, unlimited nodes.
func baseStock(t testing.TB, lambda float64, s int, lead time.Duration, onNoServer string, countWaiting bool) *scenarios.Scenario {
	t.Helper()
	sc := scenarios.Default()
	sc.Name = "base-stock"
	sc.Duration = scenarios.D(3 * time.Hour)
	sc.Arrivals.Segments = []scenarios.Segment{{Constant: &scenarios.Rate{Rate: lambda}}}
	sc.Players.PerMatch = 1
	sc.Players.Disconnect.Probability = 0
	sc.Players.Allocation = scenarios.Allocation{OnNoServer: scenarios.OnNoServer(onNoServer)}
	sc.Players.SessionLength = scenarios.Distribution{Exponential: &scenarios.Exponential{Mean: scenarios.D(time.Minute)}}
	sc.Fleet.Policy = scenarios.Policy{Buffer: &scenarios.Buffer{Size: &s}, CountWaiting: countWaiting}
	sc.Fleet.SyncInterval = scenarios.D(0)
	sc.Fleet.PodStartup = scenarios.Distribution{Exponential: &scenarios.Exponential{Mean: scenarios.D(lead)}}
	sc.Nodes.PodsPerNode = 0
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

// replicate runs the scenario with seeds 1..n and returns the mean and
// standard error of stat over the replications.
func replicate(t testing.TB, sc *scenarios.Scenario, n int, stat func(*results.Run) float64) (mean, se float64) {
	t.Helper()
	var sum, sq float64
	for i := range n {
		c := *sc
		c.Seed = uint64(i + 1)
		run, err := Run(t.Context(), &c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		v := stat(run)
		sum += v
		sq += v * v
	}
	mean = sum / float64(n)
	variance := (sq - float64(n)*mean*mean) / float64(n-1)
	return mean, math.Sqrt(math.Max(variance, 0) / float64(n))
}

// within checks the model against theory with a tolerance of four
// standard errors of the replications (plus a floor for float noise).
func within(t *testing.T, what string, got, se, want float64) {
	t.Helper()
	tol := 4*se + 1e-9
	t.Logf("%s: model %.5f ± %.5f (SE), theory %.5f", what, got, se, want)
	if math.Abs(got-want) > tol {
		t.Errorf("%s: model %.5f differs from theory %.5f by more than 4 SE (%.5f)", what, got, want, tol)
	}
}

func counterRatio(num, den string) func(*results.Run) float64 {
	return func(r *results.Run) float64 {
		return float64(r.Counters[num]) / float64(r.Counters[den])
	}
}

func TestErlangBLoss(t *testing.T) {
	for _, tc := range []struct {
		lambda float64
		s      int
		lead   time.Duration
	}{{1, 10, 8 * time.Second}, {2, 12, 5 * time.Second}} {
		sc := baseStock(t, tc.lambda, tc.s, tc.lead, "fail", false)
		// Erlang-B is insensitive to the lead time's distribution: check a
		// lognormal lead too.
		ln := *sc
		ln.Fleet.PodStartup = scenarios.Distribution{Lognormal: &scenarios.Lognormal{Median: scenarios.D(time.Duration(float64(tc.lead) / math.Exp(0.5*0.8*0.8))), Sigma: 0.8}}
		for name, c := range map[string]*scenarios.Scenario{"exponential": sc, "lognormal": &ln} {
			got, se := replicate(t, c, 20, func(r *results.Run) float64 {
				f := r.Counters[results.AllocationFailures]
				return float64(f) / float64(f+r.Counters[results.Allocations])
			})
			within(t, "Erlang-B "+name, got, se, ErlangB(tc.s, tc.lambda*tc.lead.Seconds()))
		}
	}
}

func TestErlangCWait(t *testing.T) {
	const lambda, s = 1.0, 10
	lead := 7 * time.Second
	sc := baseStock(t, lambda, s, lead, "wait", false)
	a := lambda * lead.Seconds()
	c := ErlangC(s, a)
	got, se := replicate(t, sc, 20, counterRatio(results.AllocationWaits, results.Matches))
	within(t, "P(wait) = Erlang-C", got, se, c)
	got, se = replicate(t, sc, 20, func(r *results.Run) float64 { return r.Metrics[results.AllocWait].Mean })
	within(t, "E[wait] = C/(S/E[L] − λ)", got, se, c/(float64(s)/lead.Seconds()-lambda))
}

func TestPalmBaseStock(t *testing.T) {
	const lambda, s = 1.0, 12
	lead := 8 * time.Second
	sc := baseStock(t, lambda, s, lead, "wait", true)
	got, se := replicate(t, sc, 20, counterRatio(results.AllocationWaits, results.Matches))
	within(t, "P(wait) = P(Poisson(a) ≥ S)", got, se, PoissonTail(s, lambda*lead.Seconds()))
	// Palm's theorem holds for any lead-time distribution.
	u := *sc
	u.Fleet.PodStartup = scenarios.Distribution{Uniform: &scenarios.Uniform{Min: scenarios.D(2 * time.Second), Max: scenarios.D(14 * time.Second)}}
	got, se = replicate(t, &u, 20, counterRatio(results.AllocationWaits, results.Matches))
	within(t, "P(wait), uniform lead", got, se, PoissonTail(s, lambda*lead.Seconds()))
}

func TestMtGInfOccupancy(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of simulated days")
	}
	sc := baseStock(t, 1, 0, time.Second, "wait", false)
	sc.Duration = scenarios.D(4 * time.Hour)
	sc.Arrivals.Segments = []scenarios.Segment{{Sine: &scenarios.Sine{Mean: 2, Amplitude: 1.5, Period: scenarios.D(2 * time.Hour)}}}
	sc.Players.SessionLength = scenarios.Distribution{Lognormal: &scenarios.Lognormal{Median: scenarios.D(10 * time.Minute), Sigma: 0.5}}
	// A fixed fleet far larger than demand: nobody waits, so allocated
	// rooms are the M_t/G/∞ occupancy.
	big := 20000
	sc.Fleet.Policy = scenarios.Policy{Buffer: &scenarios.Buffer{Size: &big}}
	sc.Fleet.PodStartup = scenarios.Distribution{Fixed: &scenarios.Duration{}}
	curve := sc.Curve()
	surv := sc.Players.SessionLength.Sampler().Survival
	step := results.StepFor(sc.Duration.Duration).Seconds()
	for _, at := range []float64{1800, 5400, 9000, 12600} {
		idx := int(at/step) - 1 // the gauge sampled at time `at`
		got, se := replicate(t, sc, 30, func(r *results.Run) float64 { return r.Series.Values[results.SeriesAllocated][idx] })
		within(t, "occupied rooms at "+time.Duration(at*float64(time.Second)).String(), got, se, MtGInfMean(curve.Rate, surv, at))
	}
}

func TestTheoryFormulas(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"ErlangB(1, 1) = 1/2", ErlangB(1, 1), 0.5},
		{"ErlangB(2, 1) = 1/5", ErlangB(2, 1), 0.2},
		{"ErlangC(1, 0.5) = ρ", ErlangC(1, 0.5), 0.5},
		{"ErlangC(2, 1) = 1/3", ErlangC(2, 1), 1.0 / 3},
		{"P(Poisson(2) ≥ 1) = 1 − e⁻²", PoissonTail(1, 2), 1 - math.Exp(-2)},
		{"tick average of linear p is p at the midpoint", TickAveraged(func(x float64) float64 { return 3 * x }, 2, 4), 12},
		{"tick average of e^x is exact", TickAveraged(math.Exp, 0, 1), math.E - 1},
		{"M/G/∞ constant rate reaches λ·E[M]", MtGInfMean(func(float64) float64 { return 2 }, func(u float64) float64 { return math.Exp(-u / 3) }, 200), 6},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9*math.Max(1, tc.want) {
			t.Errorf("%s: got %.12g, want %.12g", tc.name, tc.got, tc.want)
		}
	}
}
