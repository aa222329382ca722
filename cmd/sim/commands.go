package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/fleetbench/fleetbench/internal/buildinfo"
	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/internal/fileio"
	"github.com/fleetbench/fleetbench/jobs/sweep"
	"github.com/fleetbench/fleetbench/reports"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

func (e env) runCmd(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	out := fs.String("o", "out", "output directory")
	seed := fs.String("seed", "", "override the scenario's seed")
	budget := budgetFlags(fs)
	var sets multi
	fs.Var(&sets, "set", "override a field: PATH=VALUE (repeatable)")
	file, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkOutputs(*out, file, "model.json", "report.html"); err != nil {
		return err
	}
	doc, dir, err := readScenario(file)
	if err != nil {
		return err
	}
	overrides, err := parseOverrides(sets)
	if err != nil {
		return err
	}
	if *seed != "" {
		if _, err := strconv.ParseUint(*seed, 10, 64); err != nil {
			return cli.Inputf("--seed %q: want an integer from 0 to 2^64−1", *seed)
		}
		overrides = append(overrides, scenarios.Override{Path: "seed", Value: *seed})
	}
	sc, err := scenarios.ParseWith(doc, dir, overrides)
	if err != nil {
		return cli.Inputf("scenario %s:\n%w", file, err)
	}
	if err := budget.Check(sim.Estimate(sc)); err != nil {
		return cli.Inputf("scenario %s: %w", file, err)
	}
	r, err := sim.Run(e.ctx, sc, sim.Options{Version: buildinfo.Version()})
	if err != nil {
		return err
	}
	// Render everything before writing anything: no partial output.
	var html bytes.Buffer
	if err := reports.HTML(&html, reports.Input{Title: "fleetbench model: " + sc.Name, Runs: []*results.Run{r}, Scenario: sc.YAML()}); err != nil {
		return err
	}
	data, err := results.Marshal(r)
	if err != nil {
		return err
	}
	if err := results.CheckWritable("model.json", data); err != nil {
		return cli.Input(err)
	}
	if err := writeOutputs(*out, map[string][]byte{"model.json": data, "report.html": html.Bytes()}); err != nil {
		return err
	}
	reports.Summary(e.stdout, r)
	fmt.Fprintf(e.stdout, "wrote %s and %s\n", filepath.Join(*out, "model.json"), filepath.Join(*out, "report.html"))
	return nil
}

func (e env) sweepCmd(args []string) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	out := fs.String("o", "", "output directory (required)")
	reps := fs.Int("reps", 1, "replications per point")
	workers := fs.Int("workers", 0, "parallel runs (0 = GOMAXPROCS)")
	budget := budgetFlags(fs)
	var sets multi
	fs.Var(&sets, "set", "swept field: PATH=FROM:TO:STEP (repeatable)")
	var on clusterFlags
	on.register(fs, "sweep's runs")
	file, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *out == "":
		return cli.Inputf("sweep: -o DIR is required")
	case len(sets) == 0:
		return cli.Inputf("sweep: give at least one --set PATH=FROM:TO:STEP")
	case *reps < 1:
		return cli.Inputf("sweep: --reps %d: must be ≥ 1", *reps)
	case *workers < 0:
		return cli.Inputf("sweep: --workers %d: must be ≥ 0", *workers)
	}
	if err := on.unused(fs); err != nil {
		return err
	}
	if err := checkOutputs(*out, file, "sweep.json", "report.html"); err != nil {
		return err
	}
	var axes []sim.Axis
	for _, s := range sets {
		a, err := sim.ParseAxis(s)
		if err != nil {
			return cli.Input(err)
		}
		axes = append(axes, a)
	}
	if err := sim.CheckAxes(axes); err != nil {
		return cli.Input(err)
	}
	doc, dir, err := readScenario(file)
	if err != nil {
		return err
	}
	opts := sim.Options{Version: buildinfo.Version(), Budget: budget}
	if on.kubeconfig != "" {
		if opts.RunJobs, err = on.runJobs(e, sweep.Sweep{Doc: doc, Axes: axes, Reps: *reps, Version: opts.Version}); err != nil {
			return err
		}
	}
	res, err := sim.Sweep(e.ctx, doc, dir, axes, *reps, *workers, opts)
	if err != nil {
		return err
	}
	points, costLabel := frontier(res)
	var html bytes.Buffer
	if err := reports.HTML(&html, reports.Input{Title: "fleetbench sweep: " + res.Scenario, Frontier: points, CostLabel: costLabel, Scenario: string(doc)}); err != nil {
		return err
	}
	data, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		return fmt.Errorf("encoding sweep: %w", err)
	}
	if err := sim.CheckSweepWritable("sweep.json", data); err != nil {
		return cli.Input(err)
	}
	if err := writeOutputs(*out, map[string][]byte{"sweep.json": append(data, '\n'), "report.html": html.Bytes()}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-40s %12s %10s %6s %s\n", "point", costLabel, "p99 (s)", "SLOs", "frontier")
	for _, p := range points {
		fmt.Fprintf(e.stdout, "%-40s %12.4g %10.3f %6s %s\n", p.Label, p.Cost, p.P99, passWord(p.Pass), map[bool]string{true: "*"}[p.Pareto])
	}
	if c, ok := reports.Cheapest(points); ok {
		fmt.Fprintf(e.stdout, "cheapest point meeting every SLO: %s (%s %.4g, p99 %.3f s)\n", c.Label, costLabel, c.Cost, c.P99)
	} else {
		fmt.Fprintln(e.stdout, "no point meets every SLO")
	}
	fmt.Fprintf(e.stdout, "wrote %s and %s\n", filepath.Join(*out, "sweep.json"), filepath.Join(*out, "report.html"))
	return nil
}

// frontier turns a sweep's points into the report's.
func frontier(res *sim.SweepResult) ([]reports.FrontierPoint, string) {
	var points []reports.FrontierPoint
	costLabel := "cost"
	for _, p := range res.Points {
		var fp reports.FrontierPoint
		fp, costLabel = reports.NewFrontierPoint(p.Set, p.Cost, p.P99, p.Pass, p.Pareto)
		points = append(points, fp)
	}
	return points, costLabel
}

func passWord(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}

// checkOutputs refuses, before the work, outputs in dir (-o) that could
// not be written or would replace the scenario file.
func checkOutputs(dir, file string, names ...string) error {
	if dir == "" {
		return nil
	}
	var inputs []string
	if st, err := os.Stat(file); err == nil && st.Mode().IsRegular() {
		inputs = []string{file} // a directory is refused as a scenario later
	}
	return cli.Input(fileio.CheckOutputs(fileio.In("-o", dir, names...), inputs))
}

// writeOutputs writes every file into dir, and removes the stale ones
// (files an earlier run wrote there that this one does not), as one
// change, only once all of them have been rendered: a failure leaves
// dir as it was.
func writeOutputs(dir string, files map[string][]byte, stale ...string) error {
	c := fileio.Change{Write: make(map[string][]byte, len(files))}
	for name, data := range files {
		c.Write[filepath.Join(dir, name)] = data
	}
	for _, name := range stale {
		c.Remove = append(c.Remove, filepath.Join(dir, name))
	}
	if err := c.Apply(); err != nil {
		return fmt.Errorf("-o %s: %w", dir, err)
	}
	return nil
}

func parseOverrides(sets []string) ([]scenarios.Override, error) {
	var out []scenarios.Override
	for _, s := range sets {
		o, err := scenarios.ParseOverride(s)
		if err != nil {
			return nil, cli.Input(err)
		}
		out = append(out, o)
	}
	return out, nil
}
