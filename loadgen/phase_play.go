package loadgen

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"runtime"
	"time"

	"github.com/fleetbench/fleetbench/deploy"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/loadgen/guard"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// played is what the play phase leaves for collect.
type played struct {
	clk      clock
	rec      *Recorder
	obs      *observer
	journal  string // players.ndjson.partial, moved into place by write
	timeline timelineResult
	// players are the arrivals played; unallocated the formed matches
	// still waiting for a room at the end.
	players     uint64
	unallocated int64
	lost        error // workers that stopped before sending everything
	died        error // ErrStackDied, when the watchdog stopped the play
	bug         error // the first panic in a player, the observer or the timeline
	obsErr      error
	// sampler and wd measure the harness itself, for its check.
	sampler *guard.Sampler
	wd      *watchdog
	rooms   *roomScraper
	fit     *guard.Fit  // the run's expected load (nil: not estimated)
	workers *workerPods // the players' worker pods (nil: they ran here)
}

// play starts the clock, the observer, the watchdog and the timeline,
// and replays the arrivals as players (here, or through the workers)
// until the scenario's end, an interruption or the stack's death.
func play(ctx context.Context, cfg Config, st *deploy.Stack, d *deployment) (*played, error) {
	sc := cfg.Scenario
	step := results.StepFor(sc.Duration.Duration)
	started := time.Now()
	if d.workers != nil {
		started = started.Add(startMargin)
	}
	clk := newClock(started, sc.Speedup)
	// fleetd's ticks start with the run's clock, as the model's do (the
	// real HPA under okg syncs on kube-controller-manager's own clock).
	if sc.Fleet.Controller != scenarios.OKG {
		if err := st.AnnotateTemplate(ctx, manifests.Namespace, "roomserver", wire.TickEpochAnnotation, started.UTC().Format(time.RFC3339Nano)); err != nil {
			return nil, err
		}
	}
	if d.workers != nil {
		if err := d.workers.release(ctx, started); err != nil {
			return nil, err
		}
	}
	p := &played{clk: clk, journal: filepath.Join(cfg.OutDir, "players.ndjson.partial")}
	var err error
	if p.rec, err = NewRecorder(p.journal, step, clk.speedup, runtime.GOMAXPROCS(0)); err != nil {
		return nil, err
	}
	g := &generator{start: started, matchmaker: d.matchmaker, record: p.rec.Record, inputEvery: cfg.InputEvery, targets: d.reach, log: cfg.Logger, status: newStatus(clk, sc.Duration.Duration), dialer: client.NewDialer(),
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}

	p.obs = newObserver(clk, step)
	// The watchdog stops the players (runCtx) when the API server or a
	// stack process dies: the results then hold what came before.
	runCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	wd := newWatchdog(clk, abort, cfg.Logger)
	p.obs.alsoPod = wd.pod
	bgCtx, stopBg := context.WithCancel(ctx)
	defer stopBg()
	p.sampler, p.wd, p.workers, p.fit = guard.NewSampler(), wd, d.workers, cfg.Fit
	go g.bugs.guard(func() { p.sampler.Run(bgCtx) })
	p.rooms = newRoomScraper(p.obs.roomAddresses, func(addr string) error { return d.reach.check("room", addr) })
	p.obs.roomSettled = func(name, addr string) { p.rooms.scrapeOne(bgCtx, name, addr) }
	go g.bugs.guard(func() { p.rooms.run(bgCtx) })
	g.status.harness = func() string { return p.harness().Short() }
	go g.bugs.guard(func() { wd.probe(bgCtx, cfg.Cluster) })
	obsDone := make(chan error, 1)
	go func() {
		var err error
		g.bugs.guard(func() { err = p.obs.run(bgCtx, cfg.Cluster) })
		obsDone <- err
	}()
	if cfg.Status != nil {
		go g.bugs.guard(func() { g.status.report(bgCtx, cfg.Status, p.obs.roomNodes) })
	}
	events := make(chan timelineResult, 1)
	go func() {
		var tl timelineResult
		g.bugs.guard(func() { tl = timeline(runCtx, st, sc, clk) })
		events <- tl
	}()
	end := started.Add(clk.wall(sc.Duration.Duration))
	if d.workers == nil {
		playCtx, waitingAtEnd := g.runEnd(runCtx, end, cfg.Logger)
		p.players = g.replay(playCtx, sc, clk, arrivalSubset{0, 1})
		p.unallocated = waitingAtEnd()
	} else {
		got := d.workers.collect(runCtx, context.WithoutCancel(ctx), g, p.rec, end)
		p.players, p.unallocated, p.lost = got.players, got.waiting, got.lost
		if cfg.Status != nil {
			reportScale(cfg.Status, got)
		}
	}
	p.timeline = <-events
	if died := context.Cause(runCtx); errors.Is(died, ErrStackDied) {
		p.died = died
	}
	// The rooms' last counts, while they are all still up.
	lastCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*scrapeEvery)
	p.rooms.scrapeAll(lastCtx)
	cancel()
	p.bug = g.bugs.get()
	stopBg()
	p.obsErr = <-obsDone
	return p, nil
}

// harness is the harness's check on itself so far: the sampler's figures
// and the finished players' lateness.
func (p *played) harness() *results.Harness {
	f := p.sampler.Figures()
	if p.workers != nil { // this process only watched: the players' are the workers'
		f = f.Workers(p.workers.processes())
	}
	late := p.rec.lateness()
	late.APIP99, late.HaveAPI = p.wd.apiP99()
	rooms, n := p.rooms.totals()
	late.RoomTicks, late.RoomTicksLate, late.HaveRooms = rooms.Ticks, rooms.TicksLate, n > 0
	return guard.Judge(f, late, p.fit)
}
