package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"runtime/debug"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/manifests"
	"github.com/fleetbench/fleetbench/loadgen"
	"github.com/fleetbench/fleetbench/reports"
)

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// runCmd is `loadgen run FILE`: cluster up (or reuse), stack, players,
// results; the cluster goes down afterwards unless --keep.
func (e env) runCmd(args []string) (int, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f clusterFlags
	f.register(fs)
	out := fs.String("o", "out", "output directory")
	keep := fs.Bool("keep", false, "leave the cluster up afterwards")
	var file string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0, err
			}
			return 0, usageError{err}
		}
		if args = fs.Args(); len(args) > 0 {
			if file != "" {
				return 0, usageError{fmt.Errorf("unexpected argument %q", args[0])}
			}
			file, args = args[0], args[1:]
		}
	}
	if file == "" {
		return 0, usageError{errors.New("run needs a scenario FILE")}
	}
	f.scenario = file
	sc, err := f.load()
	if err != nil {
		return 0, err
	}
	p, err := e.provider(f)
	if err != nil {
		return 0, err
	}
	if err := p.Up(e.ctx); err != nil {
		return 0, err
	}
	c := clusters.New(p, e.logger(f.verbose))
	run, err := loadgen.Run(e.ctx, loadgen.Config{Scenario: sc, Cluster: c, OutDir: *out, Version: version(), Logger: e.logger(f.verbose)})
	if !*keep {
		if derr := p.Down(e.ctx); derr != nil {
			err = errors.Join(err, derr)
		}
	} else {
		fmt.Fprintf(e.stdout, "cluster kept: export KUBECONFIG=%s (stack in namespace %s)\n", p.Kubeconfig(), manifests.Namespace)
	}
	if run != nil {
		reports.Summary(e.stdout, run)
		fmt.Fprintf(e.stdout, "wrote %s and %s\n", filepath.Join(*out, "measured.json"), filepath.Join(*out, "players.ndjson"))
	}
	return 0, err
}
