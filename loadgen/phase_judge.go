package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/fleetbench/fleetbench/internal/fileio"
	"github.com/fleetbench/fleetbench/reports"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/sim"
)

// judge runs the model twice — as the scenario is written, and with the
// fixed overheads this run measured (the model of this run) — and judges
// the measurement against the second (measured.ModelCheck).
func judge(ctx context.Context, cfg Config, res *Result) error {
	sc := cfg.Scenario
	var err error
	if res.Model, err = sim.Run(ctx, sc, sim.Options{Version: cfg.Version}); err != nil {
		return fmt.Errorf("the model: %w", err)
	}
	if res.Measured.Calibration == nil {
		return nil
	}
	if res.ModelOfRun, err = sim.Run(ctx, sc, sim.Options{Version: cfg.Version, Overheads: res.Measured.Calibration}); err != nil {
		return fmt.Errorf("the model of this run: %w", err)
	}
	res.Measured.ModelCheck = results.CheckModel(res.ModelOfRun, res.Measured)
	return nil
}

// Outputs are the files a run writes into its directory.
func Outputs() []string {
	return []string{"measured.json", "players.ndjson", "model.json", "model-of-run.json", "report.html"}
}

// write puts every output of the run in place as one change, the
// journal moved from where it grew; a model the judge phase could not
// run is left out, and its file from an earlier run removed.
func write(cfg Config, res *Result, journal string) ([]string, error) {
	dir := cfg.OutDir
	c := fileio.Change{Write: map[string][]byte{}, Move: map[string]string{filepath.Join(dir, "players.ndjson"): journal}}
	var runs []*results.Run
	for _, out := range []struct {
		name string
		run  *results.Run
	}{{"model.json", res.Model}, {"model-of-run.json", res.ModelOfRun}, {"measured.json", res.Measured}} {
		path, run := filepath.Join(dir, out.name), out.run
		if run == nil {
			c.Remove = append(c.Remove, path)
			continue
		}
		data, err := results.Marshal(run)
		if err != nil {
			return nil, err
		}
		c.Write[path] = data
		runs = append(runs, run)
	}
	var html bytes.Buffer
	title := fmt.Sprintf("fleetbench real run: %s (model beside measurement)", cfg.Scenario.Name)
	if err := reports.HTML(&html, reports.Input{Title: title, Runs: runs, Scenario: cfg.Scenario.YAML()}); err != nil {
		return nil, err
	}
	c.Write[filepath.Join(dir, "report.html")] = html.Bytes()
	if err := c.Apply(); err != nil {
		return nil, err
	}
	written := slices.Sorted(maps.Keys(c.Write))
	return append(written, filepath.Join(dir, "players.ndjson")), nil
}
