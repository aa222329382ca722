package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/fleetbench/fleetbench/deploy"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/results"
)

// Result is what a real run produced: the measurement, judged against
// the model of this run, and the two model runs it sits beside.
type Result struct {
	Measured *results.Run
	// Model is the scenario as written; ModelOfRun adds the overheads this
	// run measured (nil when the run measured none).
	Model, ModelOfRun *results.Run
	// Written are the files put in place (none when the write failed).
	Written []string
}

// Run is a real run in four phases: deploy the stack with the scenario's
// settings, play its arrivals as players and its timeline on the
// cluster, collect what was measured, and judge it against the model of
// this run. Its outputs (measured.json, model.json, model-of-run.json,
// report.html and the journal players.ndjson) are then written into
// OutDir as one change: all of them or none. The journal grows beside
// them as players.ndjson.partial while the run goes, so what was
// gathered survives a crash. A cancelled ctx ends the play early; what
// was gathered is still collected, judged and written.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler) // a library caller need not log
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	st := deploy.On(cfg.Cluster)
	d, err := deployStack(ctx, cfg, st)
	if d != nil {
		defer d.tearDown(context.WithoutCancel(ctx), cfg, st)
	}
	if err != nil {
		return nil, err
	}
	p, err := play(ctx, cfg, st, d)
	if err != nil {
		return nil, err
	}
	measured, cerr := collect(ctx, cfg, p)
	res := &Result{Measured: measured}
	// The model takes seconds: it runs even after Ctrl-C, beside what the
	// run gathered until then.
	jerr := judge(context.WithoutCancel(ctx), cfg, res)
	var werr error
	res.Written, werr = write(cfg, res, p.journal)
	if werr != nil {
		werr = fmt.Errorf("writing the results (the journal is left in %s): %w", p.journal, werr)
	}
	return res, errors.Join(cerr, jerr, werr)
}

// tearDown removes what the deploy phase started: the workers, and the
// stack itself when the cluster is someone's.
func (d *deployment) tearDown(ctx context.Context, cfg Config, st *deploy.Stack) {
	if d.workers != nil {
		if err := d.workers.remove(ctx); err != nil {
			cfg.Logger.Warn("removing the workers", "err", err)
		}
	}
	if cfg.RemoveStack {
		if err := st.Remove(ctx); err != nil {
			cfg.Logger.Error("the stack is left on the cluster", "namespace", manifests.Namespace, "err", err)
		}
	}
}
