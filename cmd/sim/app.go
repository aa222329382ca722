package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/jobs/sweep"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

const usage = `usage:
  sim run FILE [-o DIR] [--seed N] [--set PATH=VALUE]...
  sim sweep FILE --set PATH=FROM:TO:STEP [--set ...] [--reps N] [--workers N] -o DIR
            [CLUSTER]  (the runs as an Indexed Job of N pods; the same sweep.json)
  sim check FILE [--set PATH=VALUE]... [--target 0.95] [--days 30] [--max-days 100] [--search-days 20]
            [--workers N | CLUSTER] [--json] [-o DIR] [--policies] [--verbose]
  sim plan FILE [--step 1h] [--set PATH=VALUE]... [--target 0.95] [--days 30] [--max-days 100] [--search-days 20]
            [--workers N | CLUSTER] [--json] [-o DIR] [--emit agones|okg [--fleet NAME] [--namespace NS] [--timezone TZ]] [--verbose]
  sim worker  (a worker pod of --cluster; started by the Job, not by hand)
CLUSTER is --cluster KUBECONFIG [--cluster-workers N] [--cluster-namespace NS] [--worker-cpu Q]
[--worker-memory Q] [--worker-image IMAGE]: check and plan then run their days in chunks of N on
a pool of N pods, and answer as with --workers N.
Every command also takes --max-events N, --max-concurrent N and --max-servers N, its work budget.
FILE may be a path or the name of a shipped scenario (` + "%s" + `).
Exit status: 0 ok, 1 an SLO missed (check) or no schedule found (plan), 2 bad input or usage,
3 a bug, 4 an operation failed (an output not written, a cluster error), 130 interrupted.
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

// run is the whole command with its exit status; only main exits.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cli.Run(ctx, "sim", command, args, stdout, stderr)
}

func command(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	e := env{ctx: ctx, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprintf(stderr, usage, strings.Join(scenarios.Shipped(), ", "))
		return cli.Usage, nil
	}
	var err error
	code := cli.OK
	switch args[0] {
	case "run":
		err = e.runCmd(args[1:])
	case "sweep":
		err = e.sweepCmd(args[1:])
	case "check":
		code, err = e.checkCmd(args[1:])
	case "plan":
		code, err = e.planCmd(args[1:])
	case "worker":
		err = e.workerCmd(args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(stdout, usage, strings.Join(scenarios.Shipped(), ", "))
		return cli.OK, nil
	default:
		err = cli.Inputf("unknown command %q", args[0])
	}
	if errors.Is(err, sim.ErrBadInput) || errors.Is(err, sweep.ErrWorkers) {
		err = cli.Input(err)
	}
	return code, err
}

// parse parses flags around the one FILE argument; -h prints the
// command's flags on stdout.
func (e env) parse(fs *flag.FlagSet, args []string) (string, error) {
	fs.SetOutput(io.Discard)
	pos, err := cli.Parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(e.stdout, "usage: sim %s FILE [flags]\nflags:\n", fs.Name())
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		return "", err
	}
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", cli.Inputf("%s: want exactly one scenario FILE, got %d", fs.Name(), len(pos))
	}
	return pos[0], nil
}

// budgetFlags registers --max-events, --max-concurrent and --max-servers,
// each refusing a value that is not a finite number > 0 (NaN would
// switch the budget off).
func budgetFlags(fs *flag.FlagSet) *sim.Budget {
	b := sim.DefaultBudget()
	b.RegisterFlags(fs)
	return &b
}

// readScenario reads a scenario argument: a file (at most
// scenarios.MaxFileSize bytes) or a shipped scenario's name.
func readScenario(file string) ([]byte, string, error) {
	doc, dir, err := scenarios.Read(file)
	return doc, dir, cli.Input(err)
}

// multi collects repeated --set flags.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }
