package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// Options tune a model run.
type Options struct {
	// Version is the fleetbench version written to the run's meta.
	Version string
	// Logger receives progress (package sizing's trials) at Info level;
	// nil discards it. The model itself never logs: it is a pure function.
	Logger *slog.Logger
	// Overheads, when set, are a real run's fixed costs (added to every
	// pod startup, node boot, claim, join and reconnect): the result is
	// the model of that run, which also starts as the run does, once the
	// fleet's initial rooms are Ready (loadgen waits for them first).
	Overheads *results.Calibration
	// Budget, when set, bounds the work of a sweep, or of a sizing check
	// or plan, refused before it starts (see Budget). A single Run is
	// checked by its caller.
	Budget *Budget
	// RunJobs, when set, runs a sweep's jobs, or a sizing check's or
	// plan's days, instead of RunAll here (on a cluster: package
	// jobs/sweep); it returns one raw run per job, in job order.
	RunJobs func(ctx context.Context, jobs []Job) ([]*results.Run, error)
	// raw leaves Metrics empty (histograms only) for runs that are merged
	// before anyone reads them.
	raw bool
	// judgeOnly: see Job.JudgeOnly.
	judgeOnly bool
}

// Run simulates a validated scenario and returns its model run, with
// verdicts against the scenario's SLOs. The same scenario (and seed)
// always gives the same run. It stops with ctx's error when ctx ends.
func Run(ctx context.Context, sc *scenarios.Scenario, opts Options) (*results.Run, error) {
	m, err := newModel(sc, !opts.judgeOnly)
	if err != nil {
		return nil, fmt.Errorf("sim %s: %w", sc.Name, err)
	}
	if o := opts.Overheads; o != nil {
		m.startupExtra, m.bootExtra = o.PodStart.Seconds, o.NodeReady.Seconds
		m.claim, m.join, m.handshake = o.Allocate, o.Join, o.Reconnect
		m.rejoinClaim = o.Allocate
		if o.Rejoin.Samples > 0 {
			m.rejoinClaim = o.Rejoin
		}
		m.rOverheads = rand.New(rand.NewPCG(sc.Seed, streamOverheads))
		m.warmStart = true
		// Karpenter's periods are wall-clock: a run at speedup s sees
		// them s times longer in scenario time.
		m.nodes.disruption.init(sc, sc.Speedup)
	}
	if err := m.run(ctx); err != nil {
		return nil, fmt.Errorf("sim %s: %w", sc.Name, err)
	}
	out := m.rec.run(m)
	if !opts.raw {
		out.Summarize()
	}
	out.Meta = results.Meta{
		Scenario:  sc.Name,
		Seed:      sc.Seed,
		Source:    results.SourceModel,
		Version:   opts.Version,
		Speedup:   sc.Speedup,
		Simulated: sc.Duration.String(),
	}
	out.Calibration = opts.Overheads
	if !opts.raw {
		// Hashing marshals the scenario: once per run that is read, not
		// once per replication that is merged away.
		out.Meta.ScenarioHash = sc.Hash()
		out.Verdicts = results.Judge(out, sc.SLO)
	}
	return out, nil
}
