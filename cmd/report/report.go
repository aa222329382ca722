package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/internal/fileio"
	"github.com/fleetbench/fleetbench/reports"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

const usage = `usage: report FILE|DIR... -o report.html [--title TEXT] [--scenario FILE]
  FILE: a run (model.json, measured.json) or a sweep (sweep.json); DIR: every run under it.
  A model run and a measured run of one scenario are also set side by side.
`

// run is the whole command with its exit status; only main exits.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Run(context.Background(), "report", command, args, stdout, stderr)
}

// command writes the report: 0 when written, 2 for bad input, 4 (an
// operation failed) when it cannot be written.
func command(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	out := fs.String("o", "", "the HTML file to write")
	title := fs.String("title", "fleetbench report", "the report's title")
	scenario := fs.String("scenario", "", "a scenario file to echo at the end")
	inputs, err := cli.Parse(fs, args)
	if err != nil {
		return 0, err
	}
	if *out == "" || len(inputs) == 0 {
		fmt.Fprint(stderr, usage)
		return 0, cli.Inputf("needs FILE|DIR... and -o FILE")
	}
	if err := fileio.CheckOutputs([]fileio.Output{{Flag: "-o", Path: *out}}, append(inputs, *scenario)); err != nil {
		return 0, cli.Input(err)
	}
	in := reports.Input{Title: *title}
	// Every run file and its size first: a report past its bounds is
	// refused before a file is read.
	var files, sweeps []string
	var total int64
	for _, path := range inputs {
		st, err := os.Stat(path)
		if err != nil {
			return 0, cli.Input(err)
		}
		switch {
		case st.IsDir():
			paths, size, err := reports.RunFiles(path)
			if err != nil {
				return 0, cli.Input(err)
			}
			files, total = append(files, paths...), total+size
		case filepath.Base(path) == "sweep.json" || strings.HasSuffix(path, ".sweep.json"):
			sweeps = append(sweeps, path)
		default:
			files, total = append(files, path), total+st.Size()
		}
		if err := reports.CheckInputs(len(files), total); err != nil {
			return 0, cli.Input(err)
		}
	}
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return 0, err // interrupted: nothing written
		}
		r, err := results.ReadFile(path)
		if err != nil {
			return 0, cli.Input(err)
		}
		in.Runs = append(in.Runs, r)
	}
	for _, path := range sweeps {
		if err := addSweep(&in, path); err != nil {
			return 0, cli.Input(err)
		}
	}
	if *scenario != "" {
		b, err := fileio.ReadFile(*scenario, scenarios.MaxFileSize)
		if err != nil {
			return 0, cli.Inputf("--scenario: %w", err)
		}
		in.Scenario = string(b)
	}
	var html bytes.Buffer
	if err := reports.HTML(&html, in); errors.Is(err, reports.ErrTooLarge) {
		return 0, cli.Input(err)
	} else if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := (fileio.Change{Write: map[string][]byte{*out: html.Bytes()}}).Apply(); err != nil {
		return 0, err
	}
	fmt.Fprintf(stdout, "wrote %s (%d runs%s)\n", *out, len(in.Runs), map[bool]string{true: ", a sweep"}[len(in.Frontier) > 0])
	return cli.OK, nil
}

func addSweep(in *reports.Input, path string) error {
	res, err := sim.ReadSweep(path)
	if err != nil {
		return err
	}
	for _, p := range res.Points {
		fp, label := reports.NewFrontierPoint(p.Set, p.Cost, p.P99, p.Pass, p.Pareto)
		in.Frontier, in.CostLabel = append(in.Frontier, fp), label
	}
	return nil
}
