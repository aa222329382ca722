package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/internal/fileio"
	"github.com/fleetbench/fleetbench/reports"
	"github.com/fleetbench/fleetbench/results"
)

// compareCmd is `loadgen compare --baseline DIR --current DIR`: every
// scenario's current runs against the baseline's, SLO verdicts, JUnit,
// HTML; exit 1 on a regression, a changed model or a failed SLO.
func (e env) compareCmd(args []string) (int, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	base := fs.String("baseline", "", "directory of baseline runs (model.json / measured.json, at any depth)")
	cur := fs.String("current", "", "directory of current runs")
	junit := fs.String("junit", "", "write JUnit XML to FILE")
	html := fs.String("html", "", "write the HTML report (current runs and the regression table) to FILE")
	js := fs.String("json", "", "write the comparison as JSON to FILE")
	allow := fs.Bool("allow-different-scenarios", false, "compare runs of different scenarios (hash or name) anyway, and say so")
	allowInvalid := fs.Bool("allow-invalid", false, "compare runs their harness marked invalid (the load generator or its host was the bottleneck) anyway, and say so")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, err
		}
		return 0, usageError{err}
	}
	if *base == "" || *cur == "" || fs.NArg() > 0 {
		return 0, usageError{errors.New("compare needs --baseline DIR and --current DIR, and nothing else")}
	}
	outputs := []fileio.Output{{Flag: "--junit", Path: *junit}, {Flag: "--html", Path: *html}, {Flag: "--json", Path: *js}}
	if err := fileio.CheckOutputs(outputs, []string{*base, *cur}); err != nil {
		return 0, cli.Input(err)
	}
	baseline, err := results.ReadDir(*base)
	if err != nil {
		return 0, cli.Inputf("--baseline: %w", err)
	}
	current, err := results.ReadDir(*cur)
	if err != nil {
		return 0, cli.Inputf("--current: %w", err)
	}
	if err := e.ctx.Err(); err != nil {
		return 0, err // interrupted while reading: nothing written
	}
	if err := refuseInvalid(e.stdout, "--baseline", baseline, *allowInvalid); err != nil {
		return 0, err
	}
	if err := refuseInvalid(e.stdout, "--current", current, *allowInvalid); err != nil {
		return 0, err
	}
	pairedBase, pairedCur, err := sameScenarios(e.stdout, baseline, current, *allow)
	if err != nil {
		return 0, err
	}
	suites, err := reports.Suites(pairedBase, pairedCur, results.CompareOptions{Seed: 1})
	if err != nil {
		return 0, err
	}
	if err := e.ctx.Err(); err != nil {
		return 0, err
	}
	labelDifferent(suites)
	printSuites(e.stdout, suites)
	// Render every output before writing any, then write them as one
	// change: a failure leaves none of them (no JUnit without its HTML).
	files := map[string][]byte{}
	render := func(path string, r func(io.Writer) error) error {
		if path == "" {
			return nil
		}
		if _, dup := files[path]; dup {
			return cli.Inputf("%s is given to two of --junit, --html and --json", path)
		}
		var b bytes.Buffer
		if err := r(&b); err != nil {
			return fmt.Errorf("rendering %s: %w", path, err)
		}
		files[path] = b.Bytes()
		return nil
	}
	err = errors.Join(
		render(*junit, func(w io.Writer) error { return reports.JUnit(w, suites) }),
		render(*html, func(w io.Writer) error {
			return reports.HTML(w, reports.Input{Title: "fleetbench regression report", Runs: latest(current), Suites: suites})
		}),
		render(*js, func(w io.Writer) error { return jsonSuites(w, suites) }))
	if err != nil {
		return 0, err
	}
	if err := (fileio.Change{Write: files}).Apply(); err != nil {
		return 0, err
	}
	for _, s := range suites {
		if s.Failed() {
			return cli.Fail, nil
		}
	}
	return cli.OK, nil
}

// latest keeps the last run of each scenario and source for the report's
// run sections (repetitions are compared, not all drawn).
func latest(runs []*results.Run) []*results.Run {
	last := map[[2]string]int{}
	var out []*results.Run
	for _, r := range runs {
		k := [2]string{r.Meta.Scenario, r.Meta.Source}
		if i, ok := last[k]; ok {
			out[i] = r
			continue
		}
		last[k] = len(out)
		out = append(out, r)
	}
	return out
}

func printSuites(w io.Writer, suites []reports.Suite) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, s := range suites {
		status := "ok"
		if s.Failed() {
			status = "FAIL"
		}
		fmt.Fprintf(tw, "%s (%s): %d baseline, %d current runs — %s\n", s.Scenario, s.Source, len(s.Baseline), len(s.Current), status)
		switch {
		case s.Missing:
			fmt.Fprintln(tw, "  no baseline: run make baseline")
		case s.Source == results.SourceModel && !s.Changed:
			fmt.Fprintln(tw, "  model output identical to the baseline")
		case s.Changed:
			fmt.Fprintln(tw, "  model output CHANGED (accept it with make baseline if intended)")
		}
		for _, v := range s.SLOs() {
			switch {
			case v.Known:
				fmt.Fprintf(tw, "  SLO %s (run %d)\t%.4g\tlimit %g\tmissed, as in the baseline\n", v.SLO, v.Run, v.Value, v.Limit)
			case !v.Pass:
				fmt.Fprintf(tw, "  SLO %s (run %d)\t%.4g\tlimit %g\tFAIL\n", v.SLO, v.Run, v.Value, v.Limit)
			}
		}
		for _, why := range s.Incomplete() {
			fmt.Fprintf(tw, "  INCOMPLETE %s\tFAIL\n", why)
		}
		for i, r := range s.Current {
			if r.ModelCheck != nil {
				fmt.Fprintf(tw, "  run %d, model of this run: %s\n", i+1, r.ModelCheck.Summary())
			}
		}
		for _, d := range s.ModelDeviations() {
			fmt.Fprintf(tw, "  run %d off the model of this run: %s\tFAIL\n", d.Run, d.Deviation)
		}
		if s.Comparison == nil {
			continue
		}
		fmt.Fprintln(tw, "  metric\tbaseline\tcurrent\tchange\t95% CI\tp\tverdict")
		for _, d := range s.Comparison.Rows {
			fmt.Fprintf(tw, "  %s\t%.4g\t%.4g\t%s\t%s … %s\t%.3g\t%s\n", d.Name, d.Baseline, d.Current,
				reports.FormatChange(d.Change, d.Relative), reports.FormatChange(d.Low, d.Relative), reports.FormatChange(d.High, d.Relative), d.P, d.Says())
		}
	}
	tw.Flush()
	fmt.Fprintln(w, summary(suites))
}

// jsonSuites writes the comparison for machines.
func jsonSuites(w io.Writer, suites []reports.Suite) error {
	type out struct {
		Scenario string `json:"scenario"`
		Source   string `json:"source"`
		Failed   bool   `json:"failed"`
		Changed  bool   `json:"changed,omitempty"`
		Missing  bool   `json:"missing,omitempty"`
		// Incomplete lists current runs that stopped before their end.
		Incomplete []string `json:"incomplete,omitempty"`
		// DifferentScenarios: compared with --allow-different-scenarios.
		DifferentScenarios []string            `json:"differentScenarios,omitempty"`
		Rows               []results.Delta     `json:"rows,omitempty"`
		SLOs               []reports.SLOResult `json:"slos"`
	}
	var all []out
	for _, s := range suites {
		o := out{Scenario: s.Scenario, Source: s.Source, Failed: s.Failed(), Changed: s.Changed, Missing: s.Missing, Incomplete: s.Incomplete(), SLOs: s.SLOs()}
		for _, m := range results.ScenarioMismatches(s.Baseline, s.Current) {
			o.DifferentScenarios = append(o.DifferentScenarios, m.String())
		}
		if s.Comparison != nil {
			o.Rows = s.Comparison.Rows
		}
		all = append(all, o)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(all)
}

// sameScenarios refuses runs of different scenarios (exit 2): a hash
// covers every field of the scenario, the seed included, so a baseline
// of another one measures the edit, not the code. Allowed, the first
// line of the output says so, and two sides of one scenario name each
// (two files of different scenarios) are compared as one, "a vs b".
func sameScenarios(w io.Writer, baseline, current []*results.Run, allow bool) ([]*results.Run, []*results.Run, error) {
	mismatches := results.ScenarioMismatches(baseline, current)
	if len(mismatches) == 0 {
		return baseline, current, nil
	}
	var lines []string
	for _, m := range mismatches {
		lines = append(lines, m.String())
	}
	if !allow {
		return nil, nil, cli.Inputf("different scenarios:\n  %s\nrecord a new baseline (make baseline), or pass --allow-different-scenarios to compare them anyway",
			strings.Join(lines, "\n  "))
	}
	fmt.Fprintf(w, "DIFFERENT SCENARIOS compared (--allow-different-scenarios): %s\n", strings.Join(lines, "; "))
	if m := mismatches[0]; m.Scenario == "" && len(m.Baseline) == 1 && len(m.Current) == 1 {
		label := baseline[0].Meta.Scenario + " vs " + current[0].Meta.Scenario
		return results.Relabeled(baseline, label), results.Relabeled(current, label), nil
	}
	return baseline, current, nil
}

// labelDifferent marks, in its heading (text, HTML and JUnit), each
// suite compared across different scenarios.
func labelDifferent(suites []reports.Suite) {
	for i, s := range suites {
		if m := results.ScenarioMismatches(s.Baseline, s.Current); len(m) > 0 {
			suites[i].Scenario = fmt.Sprintf("%s [different scenarios: %s]", s.Scenario, m[0].Short())
		}
	}
}

// summary is the last line: what failed, and what could not be judged.
func summary(suites []reports.Suite) string {
	var fails, regressions, notJudged, unverified int
	for _, s := range suites {
		if s.Failed() {
			fails++
		}
		if c := s.Comparison; c != nil {
			regressions += len(c.Regressions())
			notJudged += len(c.NotJudged())
			unverified += len(c.Unverified())
		}
	}
	status := "ok"
	if fails > 0 {
		status = fmt.Sprintf("FAIL (%d of %d suites)", fails, len(suites))
	}
	noun := "regressions"
	if regressions == 1 {
		noun = "regression"
	}
	line := fmt.Sprintf("%s: %d %s, %d not judged", status, regressions, noun, notJudged)
	switch {
	case unverified > 0:
		line += fmt.Sprintf(" (%d of them worse by enough to count, too few samples or runs to test: failing until more runs judge them)", unverified)
	case notJudged > 0:
		line += " (too few samples or runs to test, or none on one side; none got worse by enough to count)"
	}
	return line
}

// refuseInvalid refuses runs their harness marked invalid: what they
// measured was the load generator or its host, not the fleet. With allow
// it names them and goes on.
func refuseInvalid(w io.Writer, flag string, runs []*results.Run, allow bool) error {
	var bad []string
	for _, r := range runs {
		if r.Invalid() {
			bad = append(bad, fmt.Sprintf("%s (started %s): %s", r.Meta.Scenario, r.Meta.Started, strings.Join(r.Harness.Over(), "; ")))
		}
	}
	switch {
	case len(bad) == 0:
		return nil
	case allow:
		fmt.Fprintf(w, "%s: comparing %d run(s) marked invalid (--allow-invalid):\n  %s\n", flag, len(bad), strings.Join(bad, "\n  "))
		return nil
	}
	return cli.Inputf("%s holds %d run(s) marked invalid by their harness (the load generator or its host was the bottleneck; --allow-invalid compares them anyway):\n  %s", flag, len(bad), strings.Join(bad, "\n  "))
}
