package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/fleetbench/fleetbench/scenarios"
)

// Exit statuses.
const (
	exitOK    = 0
	exitSLO   = 1 // the configured fleet misses its SLO (check)
	exitUsage = 2 // bad input, usage or I/O error
)

const usage = `usage:
  sim run FILE [-o DIR] [--seed N] [--set PATH=VALUE]...
  sim sweep FILE --set PATH=FROM:TO:STEP [--set ...] [--reps N] [--workers N] -o DIR
  sim check FILE [--set PATH=VALUE]... [--target 0.95] [--days 30] [--max-days 100] [--search-days 20]
            [--workers N] [--json] [-o DIR] [--verbose]
FILE may be a path or the name of a shipped scenario (` + "%s" + `).
`

type env struct {
	ctx            context.Context
	stdout, stderr io.Writer
}

// logger writes progress to stderr when verbose, else nothing.
func (e env) logger(verbose bool) *slog.Logger {
	if !verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}

// run is the whole command; only main exits.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := env{ctx: ctx, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprintf(stderr, usage, strings.Join(scenarios.Shipped(), ", "))
		return exitUsage
	}
	var err error
	code := exitOK
	switch args[0] {
	case "run":
		err = e.runCmd(args[1:])
	case "sweep":
		err = e.sweepCmd(args[1:])
	case "check":
		code, err = e.checkCmd(args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(stdout, usage, strings.Join(scenarios.Shipped(), ", "))
		return exitOK
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "sim: %v\n", err)
		}
		return exitUsage
	}
	return code
}

// parse parses flags that may come before or after the one FILE argument.
func parse(fs *flag.FlagSet, args []string) (string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", fmt.Errorf("%s: %w", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		return "", fmt.Errorf("%s: want exactly one scenario FILE, got %d", fs.Name(), len(pos))
	}
	return pos[0], nil
}

// multi collects repeated --set flags.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }
