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
// scenario (players arriving, controller ticks, chart samples) and the
// players in the game at once, which is what a run's memory grows with.
type Work struct {
	Runs       int
	Players    float64 // expected arrivals, summed over the runs
	Ticks      float64 // fleet.syncInterval ticks and chart samples, summed
	Concurrent float64 // the most players in the game at once in one run
	// Why says where the figures come from, field by field.
	Why string
}

// Estimate is one run of sc.
func Estimate(sc *scenarios.Scenario) Work {
	d := sc.Duration.Seconds()
	curve := sc.Curve()
	w := Work{Runs: 1, Players: curve.Arrivals()}
	w.Ticks = d / results.StepFor(sc.Duration.Duration).Seconds()
	if t := sc.Fleet.SyncInterval.Seconds(); t > 0 {
		w.Ticks += d / t
	}
	session := sc.Players.SessionLength.Sampler().Mean()
	w.Concurrent = curve.Peak() * session
	w.Why = fmt.Sprintf("arrivals.segments over duration %s: ≈%.3g players; fleet.syncInterval %s: %.3g ticks; "+
		"peak rate %.4g/s × mean players.sessionLength %.4gs: ≈%.3g players at once",
		sc.Duration, w.Players, sc.Fleet.SyncInterval, w.Ticks, curve.Peak(), session, w.Concurrent)
	return w
}

// Times is n runs of w (replications, days), each as large.
func (w Work) Times(n int) Work {
	w.Runs *= n
	w.Players *= float64(n)
	w.Ticks *= float64(n)
	return w
}

// Plus is w and o run by one command.
func (w Work) Plus(o Work) Work {
	return Work{Runs: w.Runs + o.Runs, Players: w.Players + o.Players, Ticks: w.Ticks + o.Ticks,
		Concurrent: math.Max(w.Concurrent, o.Concurrent), Why: o.Why}
}

// Budget bounds a command's work. The defaults keep a command within
// minutes on one core and a few GB of memory (the model simulates about
// a million players a second and holds about 60 bytes per player in the
// game); a flag raises them on purpose.
type Budget struct {
	// Events bounds players + ticks over all of a command's runs.
	Events float64
	// Concurrent bounds the players in the game at once in one run.
	Concurrent float64
}

// DefaultBudget is what a command allows unless told otherwise.
func DefaultBudget() Budget { return Budget{Events: 1e9, Concurrent: 2e7} }

// Check refuses work past the budget, naming what makes it large and the
// flag that raises the limit.
func (b Budget) Check(w Work) error {
	if events := w.Players + w.Ticks; events > b.Events || math.IsNaN(events) {
		return fmt.Errorf("%w: ≈%.3g events (players + ticks) in %d run(s), more than --max-events %.3g (%s); "+
			"shorten duration, lower the rates or raise --max-events", ErrOverBudget, events, w.Runs, b.Events, w.Why)
	}
	if w.Concurrent > b.Concurrent || math.IsNaN(w.Concurrent) {
		return fmt.Errorf("%w: ≈%.3g players at once, more than --max-concurrent %.3g (%s); "+
			"lower the peak rate or players.sessionLength, or raise --max-concurrent", ErrOverBudget, w.Concurrent, b.Concurrent, w.Why)
	}
	return nil
}
