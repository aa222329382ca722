package loadgen

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/internal/bug"
	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/loadgen/guard"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/client"
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
	WorkerResources jobs.Resources
	// InputEvery is how often each player sends an input (wall time; 0:
	// 500 ms). Holding tens of thousands of sessions on a small host
	// needs it longer: every input is a room write and a Redis write.
	InputEvery time.Duration
	// RemoveStack removes the stack (its namespace) when the run ends,
	// once it has begun deploying it: the cluster is someone's and is
	// left as it was.
	RemoveStack bool
	// Fit is the run's expected load on this host (nil: not estimated),
	// judged with the harness: over it, the run is invalid.
	Fit *guard.Fit
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

// arrivalSubset is which arrivals a generator plays: those whose index ≡ index
// (mod of). An in-process run plays them all (0 of 1).
type arrivalSubset struct{ index, of uint64 }

func (s arrivalSubset) holds(a Arrival) bool { return a.Index%s.of == s.index }

// replay paces the scenario's arrivals and plays its share of them as
// players; it returns when every player has left or ctx ended, with the
// arrivals it played. Every arrival's draws are made, played here or not,
// so each player draws what it would in an in-process run.
func (g *generator) replay(ctx context.Context, sc *scenarios.Scenario, clk clock, mine arrivalSubset) uint64 {
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
