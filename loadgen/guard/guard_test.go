package guard

import (
	"context"
	"math"
	"os"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// TestJudge: each limit marks the run invalid on its own, and a check the
// host could not read is left out, not passed.
func TestJudge(t *testing.T) {
	ok := Figures{CPUShare: 0.5, CPUPressure: 0.2, Steal: 0.01, SchedP99: 0.001, HavePressure: true, HaveSteal: true, HaveSample: true, HaveProcess: true}
	players := Players{Arrivals: 1000, ArrivalsLate: 5, Inputs: 10000, InputsLate: 50, APIP99: 0.05, HaveAPI: true}
	if h := Judge(ok, players, nil); !h.Valid || len(h.Checks) != 7 {
		t.Fatalf("within every limit: %+v", h)
	}
	for name, edit := range map[string]func(*Figures, *Players){
		"arrivals_late":     func(_ *Figures, p *Players) { p.ArrivalsLate = 11 },
		"inputs_late":       func(_ *Figures, p *Players) { p.InputsLate = 101 },
		"sched_latency_p99": func(f *Figures, _ *Players) { f.SchedP99 = 0.02 },
		"loadgen_cpu":       func(f *Figures, _ *Players) { f.CPUShare = 0.95 },
		"host_cpu_pressure": func(f *Figures, _ *Players) { f.CPUPressure = 0.7 },
		"host_steal":        func(f *Figures, _ *Players) { f.Steal = 0.2 },
		"api_server_p99":    func(_ *Figures, p *Players) { p.APIP99 = 1.5 },
	} {
		f, p := ok, players
		edit(&f, &p)
		h := Judge(f, p, nil)
		if h.Valid || len(h.Over()) != 1 || !strings.HasPrefix(h.Over()[0], name+" ") {
			t.Errorf("%s over: valid %v, over %q", name, h.Valid, h.Over())
		}
	}
	f := ok
	f.HaveSteal, f.HavePressure, f.HaveProcess = false, false, false
	if h := Judge(f, Players{}, nil); !h.Valid || len(h.Checks) != 0 {
		t.Errorf("nothing readable: %+v, want no checks", h.Checks)
	}
}

// TestWorkersFigures: with workers, the process checks judge the worst
// worker, each figure on its own; with none reported, they are left out.
func TestWorkersFigures(t *testing.T) {
	here := Figures{CPUShare: 0.99, SchedP99: 0.5, HaveSample: true, HaveProcess: true}
	f := here.Workers([]Process{{CPUShare: 0.3, SchedP99: 0.02}, {CPUShare: 0.95, SchedP99: 0.001}})
	if !f.HaveProcess || f.CPUShare != 0.95 || f.SchedP99 != 0.02 {
		t.Errorf("two workers: %+v, want CPU 0.95 (the second's) and p99 0.02 (the first's)", f)
	}
	if h := Judge(f, Players{}, nil); len(h.Over()) != 2 {
		t.Errorf("both workers' figures over: %q", h.Over())
	}
	if f := here.Workers(nil); f.HaveProcess {
		t.Errorf("no worker reported: %+v, want the process checks left out (this process only watched)", f)
	}
}

// TestSchedP99: the p99 of the latencies recorded between two readings,
// as its bucket's upper bound.
func TestSchedP99(t *testing.T) {
	buckets := []float64{0, 0.001, 0.01, 0.1, math.Inf(1)}
	from := &metrics.Float64Histogram{Buckets: buckets, Counts: []uint64{500, 0, 0, 0}}
	to := &metrics.Float64Histogram{Buckets: buckets, Counts: []uint64{500 + 980, 10, 10, 0}}
	if got := schedP99(from, to); got != 0.01 {
		t.Errorf("p99 = %g, want 0.01 (the 990th of 1,000 is in (0.001, 0.01])", got)
	}
	to.Counts[3] = 1000 // now most are in (0.1, +Inf): the bound below it
	if got := schedP99(from, to); got != 0.1 {
		t.Errorf("p99 = %g, want 0.1", got)
	}
	if got := schedP99(to, to); got != 0 {
		t.Errorf("nothing recorded: %g", got)
	}
}

// TestSamplerReadsThisHost: on Linux the sampler reads this process's CPU
// (a busy loop shows in its share) and, where the kernel has it, the
// host's CPU pressure.
func TestSamplerReadsThisHost(t *testing.T) {
	s := NewSampler()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	spins := 0
	for end := time.Now().Add(2100 * time.Millisecond); time.Now().Before(end); spins++ {
		_ = math.Sqrt(float64(spins)) // busy: the CPU share must show it
	}
	cancel()
	<-done
	f := s.Figures()
	if !f.HaveSample || f.CPUShare <= 0 {
		t.Errorf("figures %+v: want this process's CPU read", f)
	}
	if _, err := os.Stat("/proc/pressure/cpu"); err == nil && (!f.HavePressure || f.CPUPressure < 0 || f.CPUPressure > 1) {
		t.Errorf("figures %+v: want the CPU pressure, a share of the wall time", f)
	}
}

// TestExpect: a known answer. 10 players a second for 100 s sessions in
// matches of 50 at 20 Hz: 1,000 in the game in 20 rooms, 20,000 states a
// second of 2,310 bytes; rooms 20 × 20 × 0.95 ms + 20,000 × 25 µs = 0.88
// cores, players 20,000 × (41.6 + 7.4 × 2310/1024) µs = 1.166.
func TestExpect(t *testing.T) {
	sc, err := scenarios.Parse([]byte(`apiVersion: fleetbench/v1alpha1
kind: Scenario
duration: 10m
arrivals: {segments: [{constant: {rate: 10}}]}
players: {perMatch: 50, sessionLength: {fixed: 100s}}
`), ".")
	if err != nil {
		t.Fatal(err)
	}
	f := Expect(sc, true, true)
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-3 }
	if !near(f.Sessions, 1000) || !near(f.Rooms, 20) || f.StateBytes != 2310 || !near(f.RoomCores, 0.88) || !near(f.PlayerCores, 1.1661) {
		t.Errorf("%+v", f)
	}
	if elsewhere := Expect(sc, false, true); elsewhere.RoomCores != 0 || !near(elsewhere.Share()*float64(elsewhere.Cores)*0.9, 1.1661) {
		t.Errorf("the stack elsewhere: %+v", elsewhere)
	}
	// 2.046 cores against 90% of 1 core (2.27) and of 4 (0.57).
	for cores, valid := range map[int]bool{1: false, 4: true} {
		f.Cores = cores
		if h := Judge(Figures{}, Players{}, &f); h.Valid != valid || len(h.Checks) != 1 || h.Checks[0].Name != "expected_load" {
			t.Errorf("%d cores, a share of %g: judged %+v, want valid %v", cores, f.Share(), h, valid)
		}
	}
}
