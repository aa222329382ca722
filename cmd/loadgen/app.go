package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/fleetbench/fleetbench/internal/cli"
)

const usage = `usage:
  loadgen run FILE [--provider local|kind|kube] [-o DIR] [--keep] [--allow-remote] [-q] [--set PATH=VALUE]
                 [--workers N [--worker-cpu Q] [--worker-memory Q] [--worker-image IMAGE]]
                 (cluster, stack, players; measured.json beside the model in report.html;
                 --workers runs the players as an Indexed Job of N pods in the cluster)
  loadgen compare --baseline DIR --current DIR [--junit FILE] [--html FILE] [--json FILE]
                 (regressions and SLOs; exit 1 on a regression, a changed model or a failed SLO)
  loadgen cluster up     [--provider local|kind|kube] [--scenario FILE] [--name NAME] [flags]
  loadgen cluster down   [--provider local|kind|kube] [--name NAME]
  loadgen cluster status [--provider local|kind|kube] [--name NAME] [--json]
  loadgen cluster deploy [--scenario FILE]   (the stack: Redis, matchmaker, fleetd, room servers)
  loadgen cluster build  [--provider local|kind] [--controller fleetd|okg]
                 (build the provider's components, and OpenKruiseGame's and KEDA's for okg, into the cache)
  loadgen cluster node   (kind node containers for Karpenter's kind provider; run by it, not by hand)
  loadgen worker         (a worker pod of run --workers; started by the Job, not by hand)
Run "loadgen cluster up -h" for every flag.
Exit status: 0 ok, 1 a regression, a missed SLO or a cluster not up, 2 bad input or usage,
3 a bug, 4 an operation failed (a cluster, a file not written, a run whose stack died),
130 interrupted (a run still writes what it gathered).
`

type env struct {
	ctx            context.Context
	stdout, stderr io.Writer
}

func (e env) logger(verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// usageError is bad usage: exit 2, with the usage text.
type usageError struct{ error }

// run is the whole command with its exit status; only main exits.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cli.Run(ctx, "loadgen", command, args, stdout, stderr)
}

func command(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	e := env{ctx: ctx, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return cli.Usage, nil
		}
		return cli.OK, nil
	}
	var code int
	var err error
	switch args[0] {
	case "cluster":
		code, err = e.clusterCmd(args[1:])
	case "run":
		code, err = e.runCmd(args[1:])
	case "compare":
		code, err = e.compareCmd(args[1:])
	case "worker":
		err = e.workerCmd(args[1:])
	default:
		err = usageError{fmt.Errorf("unknown command %q", args[0])}
	}
	var ue usageError
	if errors.As(err, &ue) && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stderr, usage)
		return 0, cli.Input(err)
	}
	return code, err
}
