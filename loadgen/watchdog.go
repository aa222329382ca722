package loadgen

import (
	"context"
	"errors"
	"fmt"
	"github.com/fleetbench/fleetbench/results"
	"log/slog"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/fleetbench/fleetbench/clusters"
)

// ErrStackDied is the cause of a run stopped because a part of the
// cluster or the stack died under it.
var ErrStackDied = errors.New("the run's infrastructure died")

// The stack's own processes: a run without one of them measures the
// outage, not the scenario. Rooms are not among them (the timeline kills
// rooms on purpose, and their loss is what a run measures).
var watchedApps = map[string]bool{"redis": true, "matchmaker": true, "fleetd": true}

// API server probing: every probeEvery, each try bounded by probeTimeout;
// probeStrikes failures in a row and the API server counts as dead.
const (
	probeEvery   = time.Second
	probeTimeout = 2 * time.Second
	probeStrikes = 5
)

// watchdog stops a run (through abort, with ErrStackDied and what died)
// when the API server stops answering or a stack process exits.
type watchdog struct {
	clk   clock
	abort context.CancelCauseFunc
	log   *slog.Logger

	mu       sync.Mutex
	restarts map[string]int32   // pod/container → restarts when first seen
	latency  *results.Histogram // each answered probe's latency (s), for the harness's check
}

func newWatchdog(clk clock, abort context.CancelCauseFunc, log *slog.Logger) *watchdog {
	return &watchdog{clk: clk, abort: abort, log: log, restarts: map[string]int32{}, latency: results.NewHistogram()}
}

// died stops the run with what died.
func (w *watchdog) died(what string, args ...any) {
	err := fmt.Errorf("%w: "+what, append([]any{ErrStackDied}, args...)...)
	w.log.Error("stopping the run", "err", err)
	w.abort(err)
}

// pod sees every pod update: a stack container that restarted or ended
// since it was first seen has died, unless it is held down on purpose
// (the timeline's redisRestart).
func (w *watchdog) pod(_, p *corev1.Pod) {
	if p == nil || !watchedApps[p.Labels["app"]] {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	held := heldDown(p, time.Now())
	for _, cs := range p.Status.ContainerStatuses {
		key := p.Name + "/" + cs.Name
		seen, known := w.restarts[key]
		if !known || held {
			w.restarts[key] = cs.RestartCount
			continue
		}
		term := cs.State.Terminated
		if term == nil && cs.RestartCount > seen {
			term = cs.LastTerminationState.Terminated
		}
		if term == nil && cs.RestartCount == seen {
			continue
		}
		w.restarts[key] = cs.RestartCount
		how := "it restarted"
		if term != nil && term.ExitCode >= 0 {
			how = fmt.Sprintf("exit code %d (%s)", term.ExitCode, term.Reason)
		}
		w.died("%s (pod %s) died at %s: %s", p.Labels["app"], p.Name, w.clk.stamp(time.Now()), how)
	}
}

// holdGrace is how long after a hold-down ends its restart may still show.
const holdGrace = 10 * time.Second

// heldDown: the timeline holds the pod down on purpose (redisRestart)
// until the annotation's time.
func heldDown(p *corev1.Pod, now time.Time) bool {
	until, err := time.Parse(time.RFC3339Nano, p.Annotations[clusters.DownUntilAnnotation])
	return err == nil && now.Before(until.Add(holdGrace))
}

// probe asks the API server whether it is ready every probeEvery until
// ctx ends; probeStrikes failures in a row stop the run.
func (w *watchdog) probe(ctx context.Context, c *clusters.Cluster) {
	client, err := c.Client()
	if err != nil {
		w.died("no client for the Kubernetes API server: %v", err)
		return
	}
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	strikes := 0
	var firstFailure time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		asked := time.Now()
		err := client.Discovery().RESTClient().Get().AbsPath("/readyz").Do(pctx).Error()
		took := time.Since(asked)
		cancel()
		if ctx.Err() == nil { // a failed probe counts too: at least this slow
			w.mu.Lock()
			w.latency.Record(took.Seconds())
			w.mu.Unlock()
		}
		switch {
		case err == nil:
			strikes = 0
		case ctx.Err() != nil:
			return
		default:
			if strikes == 0 {
				firstFailure = time.Now()
			}
			if strikes++; strikes >= probeStrikes {
				w.died("the Kubernetes API server stopped answering at %s (%d probes in a row failed; last: %v)",
					w.clk.stamp(firstFailure), strikes, err)
				return
			}
		}
	}
}

// apiP99 is the p99 latency of the probes (a failed one counted at its
// time to fail), and
// whether there were any.
func (w *watchdog) apiP99() (float64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.latency.Count() == 0 {
		return 0, false
	}
	return w.latency.Quantile(0.99), true
}
