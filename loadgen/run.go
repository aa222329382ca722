package loadgen

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/manifests"
	"github.com/fleetbench/fleetbench/clusters/workjob"
	"github.com/fleetbench/fleetbench/internal/bug"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// Config is one real run.
type Config struct {
	Scenario *scenarios.Scenario
	Cluster  *clusters.Cluster // up; the stack is deployed on it
	OutDir   string
	Version  string
	Logger   *slog.Logger
	// Status receives the live status line (nil: none).
	Status io.Writer
	// AllowRemote lets players reach a matchmaker outside loopback.
	AllowRemote bool
	// Workers > 0 runs the players as an Indexed Job of that many worker
	// pods in the cluster instead of in this process.
	Workers         int
	WorkerResources workjob.Resources
	// InputEvery is how often each player sends an input (wall time; 0:
	// 500 ms). Holding tens of thousands of sessions on a small host
	// needs it longer: every input is a room write and a Redis write.
	InputEvery time.Duration
	// RemoveStack removes the stack (its namespace) when the run ends,
	// once it has begun deploying it: the cluster is someone's and is
	// left as it was.
	RemoveStack bool
}

// defaultInputEvery is a player's input period unless set.
const defaultInputEvery = 500 * time.Millisecond

// generator is the players' shared state.
type generator struct {
	start      time.Time
	matchmaker string
	http       *http.Client
	// record takes each finished player: the run's Recorder in process,
	// a worker's shardWriter in a distributed run.
	record  func(Outcome)
	status  *status
	dialer  *client.Dialer // shared: one write-buffer pool for every player
	lengths *sessionLengths
	log     *slog.Logger
	// targets are the addresses players may dial.
	targets    targets
	inputEvery time.Duration
	// bugs holds the first panic of any goroutine the run started.
	bugs firstBug
}

// firstBug keeps the first panic recovered from the run's goroutines: a
// bug in one player or the observer must not take the process and what
// it gathered with it. The run writes its results, then reports the bug.
type firstBug struct {
	mu  sync.Mutex
	err error
}

// guard runs f, recovering a panic into b.
func (b *firstBug) guard(f func()) {
	var err error
	defer func() {
		if err != nil {
			b.mu.Lock()
			b.err = cmp.Or(b.err, err)
			b.mu.Unlock()
		}
	}()
	defer bug.Catch(&err)
	f()
}

func (b *firstBug) get() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// Run deploys the stack with the scenario's settings, replays its
// arrivals as players, and writes OutDir/measured.json (and the journal
// players.ndjson as it goes), in scenario time (see clock). A cancelled
// ctx ends the run early; what was gathered is still written.
func Run(ctx context.Context, cfg Config) (*results.Run, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler) // a library caller need not log
	}
	sc := cfg.Scenario
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	// Refuse a remote cluster for players in this process, or a cluster
	// where the workers may not run, before deploying anything on it.
	// (Workers load only the cluster the kubeconfig names, from inside.)
	if cfg.Workers > 0 {
		if err := checkWorkers(ctx, cfg.Cluster, sc); err != nil {
			return nil, err
		}
	} else if rc, err := cfg.Cluster.RESTConfig(); err != nil {
		return nil, err
	} else if err := (targets{remote: cfg.AllowRemote}).check("Kubernetes API server", rc.Host); err != nil {
		return nil, err
	}
	settings, err := manifests.SettingsFor(sc)
	if err != nil {
		return nil, err
	}
	// The model starts with nodes.initial Ready nodes; an autoscaled room
	// pool starts at nodes.min and is warmed to them.
	if cfg.Cluster.Capabilities().AutoscaledRooms && sc.Nodes.PodsPerNode > 0 {
		if err := cfg.Cluster.WarmNodes(ctx, sc.Nodes.Initial, sc.Nodes.PodsPerNode); err != nil {
			return nil, err
		}
	}
	if cfg.RemoveStack {
		defer func() {
			if err := cfg.Cluster.RemoveStack(context.WithoutCancel(ctx)); err != nil {
				cfg.Logger.Error("the stack is left on the cluster", "namespace", manifests.Namespace, "err", err)
			}
		}()
	}
	if err := cfg.Cluster.DeployStack(ctx, settings, sc.Fleet.Policy.Spec().Initial()); err != nil {
		return nil, fmt.Errorf("deploying the stack: %w", err)
	}
	addr, err := cfg.Cluster.WaitServiceAddress(ctx, manifests.Namespace, "matchmaker", "http")
	if err != nil {
		return nil, err
	}
	reach := targets{remote: cfg.AllowRemote, reachable: cfg.Cluster.Capabilities().Reachable}
	var workers *team
	if cfg.Workers > 0 {
		// Players inside the cluster dial the matchmaker's pod: no
		// loopback rule applies to them.
		if workers, err = startWorkers(ctx, sc, addr, cfg); err != nil {
			return nil, err
		}
		defer func() {
			if err := workers.remove(context.WithoutCancel(ctx)); err != nil {
				cfg.Logger.Warn("removing the workers", "err", err)
			}
		}()
	} else if err := reach.check("matchmaker", addr); err != nil {
		return nil, err
	}
	step := results.StepFor(sc.Duration.Duration)
	started := time.Now()
	if workers != nil {
		started = started.Add(startMargin)
	}
	clk := newClock(started, sc.Speedup)
	// fleetd's ticks start with the run's clock, as the model's do.
	if err := cfg.Cluster.AnnotateTemplate(ctx, manifests.Namespace, "roomserver", wire.TickEpochAnnotation, started.UTC().Format(time.RFC3339Nano)); err != nil {
		return nil, err
	}
	if workers != nil {
		if err := workers.release(ctx, started); err != nil {
			return nil, err
		}
	}
	rec, err := NewRecorder(filepath.Join(cfg.OutDir, "players.ndjson"), step, clk.speedup, runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, err
	}
	g := &generator{start: started, matchmaker: addr, record: rec.Record, inputEvery: cfg.InputEvery, targets: reach, log: cfg.Logger, status: newStatus(clk, sc.Duration.Duration), dialer: client.NewDialer(),
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}

	obs := newObserver(clk, step)
	// The watchdog stops the players (runCtx) when the API server or a
	// stack process dies: the results then hold what came before.
	runCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	wd := newWatchdog(clk, abort, cfg.Logger)
	obs.alsoPod = wd.pod
	bgCtx, stopBg := context.WithCancel(ctx)
	defer stopBg()
	go g.bugs.guard(func() { wd.probe(bgCtx, cfg.Cluster) })
	obsDone := make(chan error, 1)
	go func() {
		var err error
		g.bugs.guard(func() { err = obs.run(bgCtx, cfg.Cluster) })
		obsDone <- err
	}()
	if cfg.Status != nil {
		go g.bugs.guard(func() { g.status.report(bgCtx, cfg.Status, obs.roomNodes) })
	}
	events := make(chan []results.Event, 1)
	go func() {
		var evs []results.Event
		g.bugs.guard(func() { evs = timeline(runCtx, cfg.Cluster, sc, clk) })
		events <- evs
	}()
	end := started.Add(clk.wall(sc.Duration.Duration))
	var players uint64
	var unallocated int64
	var lost error
	if workers == nil {
		playCtx, waitingAtEnd := g.runEnd(runCtx, end, cfg.Logger)
		players = g.replay(playCtx, sc, clk, share{0, 1})
		unallocated = waitingAtEnd()
	} else {
		got := workers.collect(runCtx, context.WithoutCancel(ctx), g, rec, end)
		players, unallocated, lost = got.players, got.waiting, got.lost
		if cfg.Status != nil {
			reportScale(cfg.Status, got)
		}
	}

	run := &results.Run{Events: <-events, Meta: results.Meta{
		Scenario: sc.Name, ScenarioHash: sc.Hash(), Seed: sc.Seed, Source: results.SourceMeasured, Provider: cfg.Cluster.Name(),
		NotMeasured: cfg.Cluster.Capabilities().NotMeasured,
		Version:     cfg.Version, Speedup: clk.speedup, Started: started.UTC().Format(time.RFC3339),
		Simulated: time.Duration(clk.at(time.Now()) * float64(time.Second)).Round(time.Millisecond).String(),
	}}
	run.Meta.Host, _ = os.Hostname()
	died := context.Cause(runCtx)
	if !errors.Is(died, ErrStackDied) {
		died = nil
	}
	switch bugErr := g.bugs.get(); {
	case died != nil:
		run.Meta.Incomplete = fmt.Sprintf("%v: it holds what was gathered until then", died)
	case bugErr != nil:
		run.Meta.Incomplete = fmt.Sprintf("%v: a player, the observer or the timeline stopped early", bugErr)
	case ctx.Err() != nil:
		run.Meta.Incomplete = fmt.Sprintf("interrupted (Ctrl-C or SIGTERM) at %s of %s: it holds what was gathered until then", run.Meta.Simulated, sc.Duration)
	case lost != nil:
		run.Meta.Incomplete = fmt.Sprintf("%v: it holds what the workers sent", lost)
	}
	if err := rec.Fill(run); err != nil {
		return run, err
	}
	run.Counters[results.Matches] += unallocated // formed, as the model counts them
	stopBg()
	if err := <-obsDone; err != nil {
		cfg.Logger.Warn("cluster observer", "err", err)
	}
	obs.fill(run, sc.Nodes.HourlyCost)
	run.Calibration = calibrate(run, sc, rec.stages(obs.roomStartups()))
	run.Verdicts = results.Judge(run, sc.SLO)
	cfg.Logger.Info("run done", "arrivals", players, "wall", time.Since(started).Round(time.Millisecond))
	return run, errors.Join(results.WriteFile(filepath.Join(cfg.OutDir, "measured.json"), run), g.bugs.get(), died, lost)
}

// share is which arrivals a generator plays: those whose index ≡ index
// (mod of). An in-process run plays them all (0 of 1).
type share struct{ index, of uint64 }

func (s share) holds(a Arrival) bool { return a.Index%s.of == s.index }

// replay paces the scenario's arrivals and plays its share of them as
// players; it returns when every player has left or ctx ended, with the
// arrivals it played. Every arrival's draws are made, played here or not,
// so each player draws what it would in an in-process run.
func (g *generator) replay(ctx context.Context, sc *scenarios.Scenario, clk clock, mine share) uint64 {
	wall := func(d scenarios.Duration) time.Duration { return clk.wall(d.Duration) }
	g.lengths = newSessionLengths(sc, clk.wall)
	clients := rand.New(rand.NewPCG(sc.Seed, scenarios.ClientStream))
	backoff := sc.Players.Disconnect.Backoff
	var wg sync.WaitGroup
	var players uint64
	Pace(ctx, NewScenarioPacer(sc), clk.start, func(a Arrival) {
		var dropAt float64
		if clients.Float64() < sc.Players.Disconnect.Probability {
			dropAt = clients.Float64()
		}
		if !mine.holds(a) {
			return
		}
		players++
		g.status.arrivals.Add(1)
		s := session{
			DropAt:      dropAt,
			InputEvery:  cmp.Or(g.inputEvery, defaultInputEvery),
			BackoffBase: max(wall(backoff.Base), 50*time.Millisecond),
			BackoffMax:  max(wall(backoff.Max), 100*time.Millisecond),
			Jitter:      backoff.Jitter,
			Window:      max(wall(sc.Players.RecoveryWindow), time.Second),
			// Each player its own jitter sequence: players run at once, and
			// one shared generator would make the draws depend on timing.
			jitter: rand.New(rand.NewPCG(sc.Seed^a.Index, scenarios.BackoffStream)),
		}
		wg.Go(func() { g.bugs.guard(func() { g.record(g.play(ctx, a, s)) }) })
	})
	wg.Wait()
	return players
}
