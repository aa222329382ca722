package loadgen

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/manifests"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// PCG streams (with the seed) of session lengths and client disconnects.
const (
	sessionStream = 2
	clientStream  = 5
)

// Config is one real run.
type Config struct {
	Scenario *scenarios.Scenario
	Cluster  *clusters.Cluster // up; the stack is deployed on it
	OutDir   string
	Version  string
	Logger   *slog.Logger
}

// generator is the players' shared state.
type generator struct {
	start      time.Time
	matchmaker string
	http       *http.Client
	rec        *Recorder
	log        *slog.Logger
}

// Run deploys the stack with the scenario's settings, replays its
// arrivals as players, and writes OutDir/measured.json (and the journal
// players.ndjson as it goes). A cancelled ctx ends the run early; what was
// gathered is still written.
func Run(ctx context.Context, cfg Config) (*results.Run, error) {
	sc := cfg.Scenario
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	settings, err := manifests.SettingsFor(sc)
	if err != nil {
		return nil, err
	}
	if err := cfg.Cluster.DeployStack(ctx, settings, 1); err != nil {
		return nil, fmt.Errorf("deploying the stack: %w", err)
	}
	addr, err := cfg.Cluster.WaitServiceAddress(ctx, manifests.Namespace, "matchmaker", "http")
	if err != nil {
		return nil, err
	}
	span := time.Duration(float64(sc.Duration.Duration) / speedupOf(sc))
	rec, err := NewRecorder(filepath.Join(cfg.OutDir, "players.ndjson"), results.StepFor(span))
	if err != nil {
		return nil, err
	}
	g := &generator{matchmaker: addr, rec: rec, log: cfg.Logger,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}

	started := time.Now()
	g.start = started
	obs := newObserver(started, results.StepFor(span))
	obsCtx, stopObs := context.WithCancel(ctx)
	defer stopObs()
	obsDone := make(chan error, 1)
	go func() { obsDone <- obs.run(obsCtx, cfg.Cluster) }()
	scale := 1 / speedupOf(sc)
	wall := func(d scenarios.Duration) time.Duration { return time.Duration(float64(d.Duration) * scale) }
	lengths := sc.Players.SessionLength.Sampler()
	rng := rand.New(rand.NewPCG(sc.Seed, sessionStream))
	clients := rand.New(rand.NewPCG(sc.Seed, clientStream))
	var wg sync.WaitGroup
	events := make(chan []results.Event, 1)
	go func() { events <- timeline(ctx, cfg.Cluster, sc, started) }()
	players := Pace(ctx, NewScenarioPacer(sc), started, func(a Arrival) {
		length := time.Duration(lengths.Sample(rng) * scale * float64(time.Second))
		var dropAfter time.Duration
		if clients.Float64() < sc.Players.Disconnect.Probability {
			dropAfter = time.Duration(clients.Float64() * float64(length))
		}
		s := session{
			Length:      length,
			DropAfter:   max(dropAfter, 0),
			InputEvery:  500 * time.Millisecond,
			BackoffBase: max(wall(sc.Players.Disconnect.Backoff.Base), 50*time.Millisecond),
			BackoffMax:  max(wall(sc.Players.Disconnect.Backoff.Max), 100*time.Millisecond),
			Window:      max(wall(sc.Players.RecoveryWindow), time.Second),
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.rec.Record(g.play(ctx, a, s))
		}()
	})
	wg.Wait()
	run := &results.Run{Events: <-events, Meta: results.Meta{
		Scenario: sc.Name, Seed: sc.Seed, Source: results.SourceMeasured, Provider: cfg.Cluster.Name(),
		Version: cfg.Version, Speedup: speedupOf(sc), Started: started.UTC().Format(time.RFC3339),
		Simulated: time.Since(started).Round(time.Millisecond).String(),
	}}
	if err := rec.Fill(run); err != nil {
		return run, err
	}
	stopObs()
	if err := <-obsDone; err != nil {
		cfg.Logger.Warn("cluster observer", "err", err)
	}
	obs.fill(run, sc.Nodes.HourlyCost)
	cfg.Logger.Info("run done", "arrivals", players, "wall", time.Since(started).Round(time.Millisecond))
	return run, results.WriteFile(filepath.Join(cfg.OutDir, "measured.json"), run)
}

func speedupOf(sc *scenarios.Scenario) float64 {
	if sc.Speedup > 0 {
		return sc.Speedup
	}
	return 1
}
