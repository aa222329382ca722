package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, err
		}
		return 0, usageError{err}
	}
	if *base == "" || *cur == "" || fs.NArg() > 0 {
		return 0, usageError{errors.New("compare needs --baseline DIR and --current DIR, and nothing else")}
	}
	for _, out := range []string{*junit, *html, *js} {
		if err := fileio.NotAnInput(out, []string{*base, *cur}); out != "" && err != nil {
			return 0, cli.Input(err)
		}
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
	suites, err := reports.Suites(baseline, current, results.CompareOptions{Seed: 1})
	if err != nil {
		return 0, err
	}
	if err := e.ctx.Err(); err != nil {
		return 0, err
	}
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
	if err := results.WriteFiles(files); err != nil {
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
		for _, d := range s.ModelDeviations() {
			fmt.Fprintf(tw, "  run %d off the model of this run: %s\tFAIL\n", d.Run, d.Deviation)
		}
		if s.Comparison == nil {
			continue
		}
		fmt.Fprintln(tw, "  metric\tbaseline\tcurrent\tchange\t95% CI\tp\tverdict")
		for _, d := range s.Comparison.Rows {
			fmt.Fprintf(tw, "  %s\t%.4g\t%.4g\t%s\t%s … %s\t%.3g\t%s\n", d.Name, d.Baseline, d.Current,
				reports.FormatChange(d.Change, d.Relative), reports.FormatChange(d.Low, d.Relative), reports.FormatChange(d.High, d.Relative), d.P, d.Verdict)
		}
	}
	tw.Flush()
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
		Incomplete []string            `json:"incomplete,omitempty"`
		Rows       []results.Delta     `json:"rows,omitempty"`
		SLOs       []reports.SLOResult `json:"slos"`
	}
	var all []out
	for _, s := range suites {
		o := out{Scenario: s.Scenario, Source: s.Source, Failed: s.Failed(), Changed: s.Changed, Missing: s.Missing, Incomplete: s.Incomplete(), SLOs: s.SLOs()}
		if s.Comparison != nil {
			o.Rows = s.Comparison.Rows
		}
		all = append(all, o)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(all)
}
