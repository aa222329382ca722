package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fleetbench/fleetbench/internal/buildinfo"
	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/reports"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
	"github.com/fleetbench/fleetbench/sizing"
)

func (e env) checkCmd(args []string) (code int, err error) {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	out := fs.String("o", "", "also write check.json and report.html into this directory")
	opts := sizing.DefaultCheckOptions()
	var on clusterFlags
	sets := dayRuleFlags(fs, &opts, &on)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("verbose", false, "log each search trial and verification to stderr")
	policies := fs.Bool("policies", false, "also size the scenario under OpenKruiseGame's minAvailable, Agones' buffer and the demand-aware policy, side by side")
	file, err := e.parse(fs, args)
	if err != nil {
		return 0, err
	}
	if err := on.unused(fs); err != nil {
		return 0, err
	}
	if err := checkOutputs(*out, file, "check.json", "model.json", "report.html"); err != nil {
		return 0, err
	}
	doc, dir, err := e.dayRuleInputs("check", file, *sets, &opts, *verbose)
	if err != nil {
		return 0, err
	}
	stop, err := on.pool(e, &opts)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, stop()) }()
	started := time.Now()
	rep, err := sizing.Check(e.ctx, doc, dir, opts)
	if err != nil {
		return 0, fmt.Errorf("scenario %s:\n%w", file, err)
	}
	if *policies {
		if rep.Policies, err = sizing.ComparePolicies(e.ctx, doc, dir, opts, rep); err != nil {
			return 0, fmt.Errorf("scenario %s: --policies:\n%w", file, err)
		}
	}
	rep.RunSeconds = time.Since(started).Round(time.Millisecond).Seconds()
	data, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return 0, fmt.Errorf("encoding check: %w", err)
	}
	data = append(data, '\n')
	if *out != "" {
		// The scenario as written, run as `sim run` runs it, beside the
		// check: model.json and the report's run sections.
		sc, err := scenarios.Parse(doc, dir)
		if err != nil {
			return 0, cli.Inputf("scenario %s:\n%w", file, err)
		}
		model, err := sim.Run(e.ctx, sc, sim.Options{Version: buildinfo.Version()})
		if err != nil {
			return 0, err
		}
		modelJSON, err := results.Marshal(model)
		if err != nil {
			return 0, err
		}
		if err := results.CheckWritable("model.json", modelJSON); err != nil {
			return 0, cli.Input(err)
		}
		var html bytes.Buffer
		in := reports.Input{Title: "fleetbench sizing check: " + rep.Scenario, Sizing: rep, Runs: []*results.Run{model}, Scenario: string(doc)}
		if err := reports.HTML(&html, in); err != nil {
			return 0, err
		}
		if err := writeOutputs(*out, map[string][]byte{"check.json": data, "model.json": modelJSON, "report.html": html.Bytes()}); err != nil {
			return 0, err
		}
		if !*asJSON {
			reports.Summary(e.stdout, model)
			fmt.Fprintln(e.stdout)
		}
	}
	if *asJSON {
		if _, err := e.stdout.Write(data); err != nil {
			return 0, err
		}
	} else {
		printCheck(e, rep)
		if *out != "" {
			fmt.Fprintf(e.stdout, "wrote %s, %s and %s\n", filepath.Join(*out, "model.json"), filepath.Join(*out, "check.json"), filepath.Join(*out, "report.html"))
		}
	}
	if !rep.Pass {
		return cli.Fail, nil
	}
	return cli.OK, nil
}

// dayRuleFlags registers the flags of the commands judged day by day
// (check, plan): the rule, the workers, the budget and --set overrides.
func dayRuleFlags(fs *flag.FlagSet, o *sizing.CheckOptions, on *clusterFlags) *multi {
	fs.Float64Var(&o.Target, "target", o.Target, "share of days that must meet every SLO, in (0, 1)")
	fs.IntVar(&o.Days, "days", o.Days, "days simulated at a value's first look (then doubled at each look)")
	fs.IntVar(&o.MaxDays, "max-days", o.MaxDays, "days a value may take before it is left undecided")
	fs.IntVar(&o.SearchDays, "search-days", o.SearchDays, "days per search trial or repair round (other seeds than verification)")
	fs.IntVar(&o.Workers, "workers", 0, "parallel runs (0 = GOMAXPROCS)")
	o.Budget = budgetFlags(fs)
	on.register(fs, "days")
	sets := &multi{}
	fs.Var(sets, "set", "override a field: PATH=VALUE (repeatable)")
	return sets
}

// dayRuleInputs checks the options and returns the scenario document with
// the overrides applied.
func (e env) dayRuleInputs(command, file string, sets multi, o *sizing.CheckOptions, verbose bool) ([]byte, string, error) {
	o.Options = sim.Options{Version: buildinfo.Version(), Logger: e.logger(verbose), Budget: o.Budget}
	if o.Workers < 0 {
		return nil, "", cli.Inputf("%s: --workers %d: must be ≥ 0", command, o.Workers)
	}
	if err := o.Validate(); err != nil {
		return nil, "", cli.Inputf("%s: %w", command, err)
	}
	overrides, err := parseOverrides(sets)
	if err != nil {
		return nil, "", err
	}
	doc, dir, err := readScenario(file)
	if err != nil {
		return nil, "", err
	}
	if doc, err = scenarios.Rewrite(doc, overrides); err != nil {
		return nil, "", cli.Inputf("scenario %s:\n%w", file, err)
	}
	return doc, dir, nil
}
