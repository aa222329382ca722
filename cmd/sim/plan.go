package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/emit"
	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/reports"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sizing"
)

// planCmd is `sim plan FILE`: a buffer schedule that follows the curve.
func (e env) planCmd(args []string) (code int, err error) {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	out := fs.String("o", "", "also write plan.json, plan.yaml (the scenario with the schedule) and report.html into this directory")
	opts := sizing.DefaultPlanOptions()
	fs.DurationVar(&opts.Step, "step", opts.Step, "the schedule's step: one count per step")
	var on clusterFlags
	sets := dayRuleFlags(fs, &opts.CheckOptions, &on)
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	emitKind := fs.String("emit", "", "also write the manifests that implement the plan: agones (FleetAutoscaler) or okg (GameServerSet, KEDA ScaledObject)")
	eo := emit.Options{Namespace: "default", Timezone: "UTC"}
	fs.StringVar(&eo.Fleet, "fleet", "", "--emit: the Fleet or GameServerSet name (default: the scenario's name)")
	fs.StringVar(&eo.Namespace, "namespace", eo.Namespace, "--emit: the namespace")
	fs.StringVar(&eo.Timezone, "timezone", eo.Timezone, "--emit: where the scenario's 0h is midnight")
	verbose := fs.Bool("verbose", false, "log each repair round and verification to stderr")
	file, err := e.parse(fs, args)
	if err != nil {
		return 0, err
	}
	if err := on.unused(fs); err != nil {
		return 0, err
	}
	switch {
	case *emitKind != "" && *emitKind != "agones" && *emitKind != "okg":
		return 0, cli.Inputf("plan: --emit %q: want agones or okg", *emitKind)
	case *emitKind != "" && *out == "":
		return 0, cli.Inputf("plan: --emit writes its manifests into -o DIR: give one")
	}
	if err := checkOutputs(*out, file, append([]string{"plan.json", "plan.yaml", "report.html"}, manifestFiles()...)...); err != nil {
		return 0, err
	}
	doc, dir, err := e.dayRuleInputs("plan", file, *sets, &opts.CheckOptions, *verbose)
	if err != nil {
		return 0, err
	}
	if *emitKind != "" {
		// Manifests that could not be written are refused before the
		// planning, which takes tens of seconds.
		sc, err := scenarios.Parse(doc, dir)
		if err != nil {
			return 0, cli.Inputf("scenario %s:\n%w", file, err)
		}
		if err := errors.Join(emit.Check(*emitKind, sc, eo), emit.CheckStep(opts.Step)); err != nil {
			return 0, cli.Inputf("--emit %s: %w", *emitKind, err)
		}
	}
	stop, err := on.pool(e, &opts.CheckOptions)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, stop()) }()
	started := time.Now()
	plan, err := sizing.Plan(e.ctx, doc, dir, opts)
	if err != nil {
		return 0, fmt.Errorf("scenario %s:\n%w", file, err)
	}
	plan.RunSeconds = time.Since(started).Round(time.Millisecond).Seconds()
	data, err := json.MarshalIndent(plan, "", " ")
	if err != nil {
		return 0, fmt.Errorf("encoding plan: %w", err)
	}
	data = append(data, '\n')
	var manifests []byte
	if *emitKind != "" && plan.Found {
		if manifests, err = emitPlan(*emitKind, plan, doc, dir, eo); err != nil {
			return 0, err
		}
	}
	var wrote, removed []string
	if *out != "" {
		if wrote, removed, err = e.writePlan(*out, plan, data, doc, dir, *emitKind, manifests); err != nil {
			return 0, err
		}
	}
	if *asJSON {
		_, err := e.stdout.Write(data)
		return planStatus(plan), err
	}
	printPlan(e, plan)
	if *out != "" {
		fmt.Fprintf(e.stdout, "wrote %s\n", strings.Join(wrote, ", "))
		if manifests != nil {
			fmt.Fprintf(e.stdout, "%s: the manifests that implement the plan\n", filepath.Join(*out, *emitKind+".yaml"))
		}
		if len(removed) > 0 {
			fmt.Fprintf(e.stdout, "removed %s: an earlier plan's, stale beside this one\n", strings.Join(removed, ", "))
		}
	}
	return planStatus(plan), nil
}

// manifestFiles are the files --emit writes, one per kind.
func manifestFiles() []string { return []string{"agones.yaml", "okg.yaml"} }

// planStatus: 0 when a schedule meets the target, 1 when none was found.
func planStatus(p *results.Plan) int {
	if p.Found {
		return cli.OK
	}
	return cli.Fail
}

// writePlan writes plan.json, the scenario with the schedule (plan.yaml:
// `sim run plan.yaml` replays it), the manifests and the report, as one
// change that also removes an earlier plan's files this one does not
// write (no schedule found: no plan.yaml). It returns the paths written
// and those removed.
func (e env) writePlan(out string, p *results.Plan, data, doc []byte, dir, kind string, manifests []byte) (wrote, removed []string, err error) {
	sc, err := scenarios.Parse(doc, dir)
	if err != nil {
		return nil, nil, cli.Input(err)
	}
	files := map[string][]byte{"plan.json": data}
	if manifests != nil {
		files[kind+".yaml"] = manifests
	}
	if p.Found {
		files["plan.yaml"] = []byte(sizing.Scheduled(sc, p.Steps).YAML())
		if err := scenarios.CheckWritable("plan.yaml", len(files["plan.yaml"])); err != nil {
			return nil, nil, cli.Input(err)
		}
	}
	var stale []string
	for _, name := range append([]string{"plan.yaml"}, manifestFiles()...) {
		if _, ok := files[name]; ok {
			continue
		}
		stale = append(stale, name)
		if _, err := os.Lstat(filepath.Join(out, name)); err == nil {
			removed = append(removed, filepath.Join(out, name))
		}
	}
	var html bytes.Buffer
	in := reports.Input{Title: "fleetbench buffer plan: " + p.Scenario, Plan: p, Scenario: string(doc)}
	if p.Day != nil {
		in.Runs = []*results.Run{p.Day}
	}
	if err := reports.HTML(&html, in); err != nil {
		return nil, nil, err
	}
	files["report.html"] = html.Bytes()
	if err := writeOutputs(out, files, stale...); err != nil {
		return nil, nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		wrote = append(wrote, filepath.Join(out, name))
	}
	return wrote, removed, nil
}

// emitPlan renders the manifests that implement the plan.
func emitPlan(kind string, p *results.Plan, doc []byte, dir string, o emit.Options) ([]byte, error) {
	sc, err := scenarios.Parse(doc, dir)
	if err != nil {
		return nil, cli.Input(err)
	}
	render := emit.Agones
	if kind == "okg" {
		render = emit.OKG
	}
	m, err := render(p, sc, o)
	if err != nil {
		return nil, cli.Inputf("--emit %s: %w", kind, err)
	}
	return m, nil
}

// printPlan writes the schedule, its verdict and what it saves.
func printPlan(e env, p *results.Plan) {
	w := e.stdout
	fmt.Fprintf(w, "buffer plan: %s — %s per %s (each step sized %.0f s ahead: sync + startup + node lead)\n", p.Scenario, p.Knob, p.Step, p.LeadSeconds)
	fmt.Fprintf(w, "%-10s %14s %9s %7s\n", "from", "peak players/s", "analytic", "count")
	for _, s := range p.Steps {
		fmt.Fprintf(w, "%-10s %14.3f %9d %7d\n", s.At, s.PeakRate, s.Analytic, s.Count)
	}
	if !p.Found {
		fmt.Fprintf(w, "no schedule found: %s\n", p.Reason)
	} else {
		d := p.Days
		fmt.Fprintf(w, "the schedule met every SLO on %d of %d confirmation days, which chose nothing (share %.3f, interval [%.3f, %.3f]): %s; %d repair rounds\n",
			d.Met, d.Days, d.Share, d.Low, d.High, d.Decision, p.Repairs)
	}
	row := func(label string, c results.SizingCost, days *results.DayShare) {
		verdict := ""
		if days != nil {
			verdict = fmt.Sprintf("%d/%d days, %s", days.Met, days.Days, days.Decision)
		}
		fmt.Fprintf(w, "  %-34s %8.0f idle server-h %10.2f  %s\n", label, c.IdleServerHours, c.Money, verdict)
	}
	fmt.Fprintln(w, "cost per day:")
	if p.Found {
		row("the schedule", p.Cost, p.Days)
	}
	if p.Constant.Found {
		row(fmt.Sprintf("constant minimum (sim check (c)) %d", p.Constant.Value), p.Constant.Cost, p.Constant.Days)
	}
	row(fmt.Sprintf("configured %d", p.Configured.Value), p.Configured.Cost, p.Configured.Days)
	fmt.Fprintf(w, "method: %s\n", p.Method)
	fmt.Fprintf(w, "days simulated: %d searching, %d verifying, %d confirming; %.1f s\n", p.SearchDays, p.VerifyDays, p.ConfirmDays, p.RunSeconds)
}
