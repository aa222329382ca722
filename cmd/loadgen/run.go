package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/internal/buildinfo"
	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/internal/fileio"
	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/loadgen"
	"github.com/fleetbench/fleetbench/loadgen/guard"
	"github.com/fleetbench/fleetbench/reports"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// runBudget is what a real run allows unless raised: its players are
// sessions of this one process.
func runBudget() sim.Budget { return sim.Budget{Events: 1e7, Concurrent: 20_000} }

// maxWorkers bounds --workers: a Job's pods, and the statuses the CLI
// lists every second.
const maxWorkers = 1000

// downTimeout bounds tearing the cluster down after Ctrl-C.
const downTimeout = time.Minute

// runCmd is `loadgen run FILE`: cluster up (or reuse), stack, players,
// results beside the model's prediction; a cluster this command brought
// up goes down afterwards unless --keep.
func (e env) runCmd(args []string) (int, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f clusterFlags
	f.register(fs)
	out := fs.String("o", "out", "output directory")
	keep := fs.Bool("keep", false, "leave the cluster up afterwards")
	remote := fs.Bool("allow-remote", false, "allow a cluster or stack outside loopback")
	quiet := fs.Bool("q", false, "no live status line")
	workers := fs.Int("workers", 0, "run the players as an Indexed Job of N worker pods in the cluster (0: in this process)")
	res := loadgen.DefaultWorkerResources()
	jobs.RegisterFlags(fs, &res, "loadgen")
	inputEvery := fs.Duration("input-every", 500*time.Millisecond, "how often each player sends an input (wall time; longer to hold more sessions)")
	saturated := fs.Bool("allow-saturated", false, "run a scenario this host cannot carry at its peak (by the benches' costs) anyway: the run is marked invalid")
	// A real run holds every player in the game as a session of this
	// process (about 20 KB each; one process holds ~19,000).
	budget := runBudget()
	budget.RegisterFlags(fs)
	pos, err := cli.Parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, err
		}
		return 0, usageError{err}
	}
	if len(pos) != 1 {
		return 0, usageError{fmt.Errorf("run needs a scenario FILE (one), got %d arguments", len(pos))}
	}
	file := pos[0]
	// Refused before the cluster comes up, not after the run.
	if err := fileio.CheckOutputs(fileio.In("-o", *out, loadgen.Outputs()...), []string{file}); err != nil {
		return 0, cli.Input(err)
	}
	f.scenario = file
	sc, err := f.load()
	if err != nil {
		return 0, err
	}
	if *inputEvery < 10*time.Millisecond || *inputEvery > time.Hour {
		return 0, usageError{fmt.Errorf("--input-every %s: want 10ms to 1h", *inputEvery)}
	}
	if *workers < 0 || *workers > maxWorkers {
		return 0, usageError{fmt.Errorf("--workers %d: want 0 (in process) to %d", *workers, maxWorkers)}
	}
	// Each worker is a process of its own: the per-process budget holds
	// per worker.
	budget.Concurrent *= float64(max(*workers, 1))
	if err := budget.Check(sim.Estimate(sc)); err != nil {
		return 0, cli.Inputf("scenario %s: %w", file, err)
	}
	if err := manifests.Check(sc); err != nil {
		return 0, cli.Inputf("scenario %s: %w", file, err)
	}
	p, err := e.provider(f, sc) // the scenario is read once
	if err != nil {
		return 0, err
	}
	// Someone's cluster: losing a node means deleting a Node object there.
	if !p.Capabilities().OwnsNodes {
		for i, ev := range sc.Timeline {
			if ev.Kind() == scenarios.KindNodeLoss {
				return 0, cli.Inputf("scenario %s: timeline[%d].nodeLoss deletes Node objects; it is not run on --provider %s (a cluster whose nodes fleetbench did not make)", file, i, f.provider)
			}
		}
	}
	// A local or kind cluster is this host: the rooms and Redis run here,
	// and so do the players, in this process or as workers on it.
	here := p.Capabilities().OwnsNodes
	fit := guard.Expect(sc, here, here || *workers == 0)
	if fit.Share() > 1 {
		if !*saturated {
			return 0, cli.Inputf("scenario %s would saturate this host: %s. The run would measure the host, not the fleet: lower the arrival rate, players.perMatch or fleet.room.tickRate, run on a bigger host (or --workers on a cluster elsewhere), or pass --allow-saturated to run it marked invalid", file, fit)
		}
		fmt.Fprintf(e.stderr, "loadgen: --allow-saturated: %s; the run will be marked invalid\n", fit)
	}
	// A cluster that was already up is someone's: leave it as it is.
	before, _ := p.Status(e.ctx)
	if err := p.Up(e.ctx); err != nil {
		return 0, err
	}
	cfg := loadgen.Config{Scenario: sc, Cluster: clusters.New(p, e.logger(f.verbose)), OutDir: *out, Version: buildinfo.Version(),
		Logger: e.logger(f.verbose), AllowRemote: *remote, Workers: *workers, WorkerResources: res, InputEvery: *inputEvery, Fit: &fit,
		// Someone's cluster is left as it was, without the stack.
		RemoveStack: before.Up && !*keep}
	if !*quiet {
		cfg.Status = e.stdout
	}
	result, err := loadgen.Run(e.ctx, cfg)
	if errors.Is(err, loadgen.ErrWorkers) {
		err = cli.Input(err)
	}
	// After Ctrl-C the run's context is done; the teardown still runs.
	down, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), downTimeout)
	switch {
	case *keep:
		fmt.Fprintf(e.stdout, "cluster left up: export KUBECONFIG=%s (stack in namespace %s)\n", p.Kubeconfig(), manifests.Namespace)
	case before.Up:
		// Someone's cluster: the run removed the stack it deployed.
		if result != nil {
			fmt.Fprintf(e.stdout, "cluster left as it was: namespace %s removed\n", manifests.Namespace)
		}
	default:
		if derr := p.Down(down); derr != nil {
			err = errors.Join(err, fmt.Errorf("cluster down: %w", derr))
		}
	}
	cancel()
	if result == nil {
		return 0, err
	}
	reports.Summary(e.stdout, result.Measured)
	if result.Measured.ModelCheck != nil {
		printModelCheck(e.stdout, result.Measured.ModelCheck)
	}
	if h := result.Measured.Harness; h != nil {
		fmt.Fprintln(e.stdout, h.Summary())
	}
	if err == nil && e.ctx.Err() != nil {
		err = fmt.Errorf("the results hold what was gathered until then: %w", e.ctx.Err())
	}
	if len(result.Written) > 0 {
		fmt.Fprintf(e.stdout, "wrote %s\n", strings.Join(result.Written, ", "))
	}
	return 0, err
}

// printModelCheck says whether the run is what the model of it predicts,
// and which values that judgement covers.
func printModelCheck(w io.Writer, c *results.ModelCheck) {
	fmt.Fprintf(w, "model of this run: %s\n", c.Summary())
	for _, d := range c.Failed() {
		fmt.Fprintf(w, "  outside: %s\n", d)
	}
	var not []string
	for _, d := range c.Deviations {
		if !d.Judged {
			not = append(not, d.Name)
		}
	}
	if len(not) > 0 {
		fmt.Fprintf(w, "  not judged (modelCheck in measured.json says why): %s\n", strings.Join(not, ", "))
	}
}
