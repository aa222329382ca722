package sim

import (
	"errors"
	"fmt"
	"math"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// ErrBadInput is wrapped by every error that is the input's fault (a
// scenario, an axis, an option, a budget), as opposed to a failed run.
var ErrBadInput = errors.New("bad input")

// ErrOverBudget is wrapped by every refusal of Budget.Check.
var ErrOverBudget = fmt.Errorf("%w: over the work budget", ErrBadInput)

// Work is what a model command will do, estimated before any run starts
// from the scenario alone: the events whose number grows with the
// scenario (players arriving, controller ticks, chart samples), and the
// players and the game servers and nodes held at once, which is what a
// run's memory grows with.
type Work struct {
	Runs       int
	Players    float64 // expected arrivals, summed over the runs
	Ticks      float64 // fleet.syncInterval ticks and chart samples, summed
	Concurrent float64 // the most players in the game at once in one run
	Servers    float64 // the most game servers and nodes at once in one run
	// ServersField is the field that makes Servers as large as it is
	// ("fleet.policy.buffer.size"), named when Servers is refused.
	ServersField string
	// Why says where the figures come from, field by field.
	Why string
}

// Estimate is one run of sc.
func Estimate(sc *scenarios.Scenario) Work {
	d := sc.Duration.Seconds()
	curve := sc.Curve()
	w := Work{Runs: 1, Players: curve.Arrivals()}
	w.Ticks = d / results.StepFor(sc.Duration.Duration).Seconds()
	if t := sc.Fleet.Tick().Seconds(); t > 0 {
		w.Ticks += d / t
	}
	session := sc.Players.SessionLength.Sampler().Mean()
	w.Concurrent = curve.Peak() * session
	held := heldAtOnce(sc, w.Concurrent)
	w.Servers, w.ServersField = held.servers+held.nodes, held.field
	w.Why = fmt.Sprintf("arrivals.segments over duration %s: ≈%.3g players; fleet.syncInterval %s: %.3g ticks; "+
		"peak rate %.4g/s × mean players.sessionLength %.4gs: ≈%.3g players at once; %s",
		sc.Duration, w.Players, sc.Fleet.SyncInterval, w.Ticks, curve.Peak(), session, w.Concurrent, held.why)
	return w
}

// Times is n runs of w (replications, days), each as large.
func (w Work) Times(n int) Work {
	w.Runs *= n
	w.Players *= float64(n)
	w.Ticks *= float64(n)
	return w
}

// Plus is w and o run by one command: the events add up, what one run
// holds at once is the larger run's.
func (w Work) Plus(o Work) Work {
	sum := Work{Runs: w.Runs + o.Runs, Players: w.Players + o.Players, Ticks: w.Ticks + o.Ticks,
		Concurrent: math.Max(w.Concurrent, o.Concurrent), Servers: o.Servers, ServersField: o.ServersField, Why: o.Why}
	if w.Servers > o.Servers {
		sum.Servers, sum.ServersField = w.Servers, w.ServersField
	}
	return sum
}

// Budget bounds a command's work. The defaults keep a command within
// minutes on one core and a few GB of memory (the model simulates about
// a million players a second and holds about 60 bytes per player in the
// game, and up to bytesPerServer per game server or node); a flag
// raises them on purpose. A zero field is DefaultBudget's.
type Budget struct {
	// Events bounds players + ticks over all of a command's runs.
	Events float64
	// Concurrent bounds the players in the game at once in one run.
	Concurrent float64
	// Servers bounds the game servers and nodes held at once in one run.
	Servers float64
}

// DefaultBudget is what a command allows unless told otherwise.
// A million servers is a few hundred MB: a fleet of that size is
// modelled on purpose, not by a typo or a percent policy's growth.
func DefaultBudget() Budget { return Budget{Events: 1e9, Concurrent: 2e7, Servers: 1e6} }

// Check refuses work past the budget, naming what makes it large and the
// flag that raises the limit, and refuses a budget that is no number > 0
// (NaN compares false with everything: it would switch the budget off).
func (b Budget) Check(w Work) error {
	b, err := b.resolve()
	if err != nil {
		return err
	}
	if events := w.Players + w.Ticks; events > b.Events || math.IsNaN(events) {
		return fmt.Errorf("%w: ≈%.3g events (players + ticks) in %d run(s), more than --max-events %.3g (%s); "+
			"shorten duration, lower the rates or raise --max-events", ErrOverBudget, events, w.Runs, b.Events, w.Why)
	}
	if w.Concurrent > b.Concurrent || math.IsNaN(w.Concurrent) {
		return fmt.Errorf("%w: ≈%.3g players at once, more than --max-concurrent %.3g (%s); "+
			"lower the peak rate or players.sessionLength, or raise --max-concurrent", ErrOverBudget, w.Concurrent, b.Concurrent, w.Why)
	}
	if w.Servers > b.Servers || math.IsNaN(w.Servers) {
		held := "unbounded game servers and nodes at once"
		if !math.IsInf(w.Servers, 1) {
			held = fmt.Sprintf("≈%.3g game servers and nodes at once (up to ≈%.3g MB)", w.Servers, w.Servers*bytesPerServer/1e6)
		}
		return fmt.Errorf("%w: %s, more than --max-servers %.3g (%s); lower %s or raise --max-servers",
			ErrOverBudget, held, b.Servers, w.Why, w.ServersField)
	}
	return nil
}

// resolve fills zero fields from DefaultBudget and refuses the rest
// unless finite and > 0.
func (b Budget) resolve() (Budget, error) {
	d := DefaultBudget()
	for _, f := range []struct {
		flag     string
		v        *float64
		fallback float64
	}{{"--max-events", &b.Events, d.Events}, {"--max-concurrent", &b.Concurrent, d.Concurrent}, {"--max-servers", &b.Servers, d.Servers}} {
		switch {
		case *f.v == 0:
			*f.v = f.fallback
		case !(*f.v > 0) || math.IsInf(*f.v, 1):
			return b, fmt.Errorf("%w: %s %g: must be a finite number > 0", ErrBadInput, f.flag, *f.v)
		}
	}
	return b, nil
}

// approx writes an estimate: "≈1.2e+06", or "unbounded".
func approx(v float64) string {
	if math.IsInf(v, 1) {
		return "unbounded"
	}
	return fmt.Sprintf("≈%.3g", v)
}
