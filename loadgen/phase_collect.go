package loadgen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/fleetbench/fleetbench/results"
)

// hostname is the run's host, for its meta.
func hostname() string {
	h, _ := os.Hostname()
	return h
}

// collect makes the measured run from what the play gathered: the
// recorder's players, the observer's cluster, the timeline as it
// happened and the calibration, judged against the SLOs. A run that
// stopped early, or whose timeline did not all happen, is marked
// incomplete and returned with the error that says why.
func collect(ctx context.Context, cfg Config, p *played) (*results.Run, error) {
	sc, clk := cfg.Scenario, p.clk
	run := &results.Run{Events: p.timeline.events, Meta: results.Meta{
		Scenario: sc.Name, ScenarioHash: sc.Hash(), Seed: sc.Seed, Source: results.SourceMeasured, Provider: cfg.Cluster.Name(),
		NotMeasured: cfg.Cluster.Capabilities().NotMeasured,
		Version:     cfg.Version, Speedup: clk.speedup, Started: clk.start.UTC().Format(time.RFC3339),
		Simulated: time.Duration(clk.at(time.Now()) * float64(time.Second)).Round(time.Millisecond).String(),
		Host:      hostname(),
	}}
	failed := p.timeline.failed()
	switch {
	case p.died != nil:
		run.Meta.Incomplete = fmt.Sprintf("%v: it holds what was gathered until then", p.died)
	case p.bug != nil:
		run.Meta.Incomplete = fmt.Sprintf("%v: a player, the observer or the timeline stopped early", p.bug)
	case ctx.Err() != nil:
		run.Meta.Incomplete = fmt.Sprintf("interrupted (Ctrl-C or SIGTERM) at %s of %s: it holds what was gathered until then", run.Meta.Simulated, sc.Duration)
	case p.lost != nil:
		run.Meta.Incomplete = fmt.Sprintf("%v: it holds what the workers sent", p.lost)
	case failed != nil:
		run.Meta.Incomplete = fmt.Sprintf("%v: the run is not the scenario's", failed)
	}
	// A journal that could not be flushed is an error; the aggregates
	// are in run all the same.
	var journalErr error
	if err := p.rec.Fill(run); err != nil {
		journalErr = fmt.Errorf("journal %s: %w", p.journal, err)
	}
	run.Counters[results.Matches] += p.unallocated // formed, as the model counts them
	if p.obsErr != nil {
		cfg.Logger.Warn("cluster observer", "err", p.obsErr)
	}
	p.obs.fill(run, sc.Nodes.HourlyCost)
	run.Calibration = calibrate(run, sc, p.rec.stages(p.obs.roomStartups()))
	run.Verdicts = results.Judge(run, sc.SLO)
	run.Harness = p.harness()
	rooms, _ := p.rooms.totals()
	run.Harness.RoomDisconnects = rooms.disconnectCounts()
	cfg.Logger.Info("run done", "arrivals", p.players, "wall", time.Since(clk.start).Round(time.Millisecond))
	return run, errors.Join(p.bug, p.died, p.lost, failed, journalErr)
}
