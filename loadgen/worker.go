package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/loadgen/guard"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/client"
)

// The Job's input ConfigMap is everything a worker is told: the
// scenario, its hash, the matchmaker's address, the number of workers
// and, once every worker is at the barrier, the start.
const (
	keyScenario   = "scenario.yaml"
	keyHash       = "hash"
	keyMatchmaker = "matchmaker"
	keyWorkers    = "workers"
	keyStart      = "start" // RFC 3339 with nanoseconds
	keyInputEvery = "inputEvery"
)

// WorkerConfig is one worker pod of a distributed run (`loadgen worker`).
type WorkerConfig struct {
	Client    kubernetes.Interface
	Namespace string
	Index     int // the pod's completion index
	Logger    *slog.Logger
	// FlushEvery is how often outcomes and status are sent (0: 2 s).
	FlushEvery time.Duration
}

// barrierLimit bounds a worker's wait at the start barrier: a CLI that
// died there leaves no worker behind for long.
const barrierLimit = 5 * time.Minute

// PlayAsWorker plays worker Index's share of the run's arrivals and sends what
// it gathers to the API server. It returns once its last outcome is sent
// (nil), or why it could not play or send.
func PlayAsWorker(ctx context.Context, cfg WorkerConfig) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler) // a library caller need not log
	}
	every := cfg.FlushEvery
	if every <= 0 {
		every = 2 * time.Second
	}
	run, err := readRunConfig(ctx, cfg.Client, cfg.Namespace)
	if err != nil {
		return err
	}
	sc, err := scenarios.Parse([]byte(run[keyScenario]), ".")
	if err != nil {
		return fmt.Errorf("the run's scenario: %w", err)
	}
	if sc.Hash() != run[keyHash] {
		return fmt.Errorf("the run's scenario reads back as hash %s, the CLI's is %s", sc.Hash(), run[keyHash])
	}
	workers, err := strconv.Atoi(run[keyWorkers])
	if err != nil || workers < 1 || cfg.Index < 0 || cfg.Index >= workers {
		return fmt.Errorf("worker %d of %q workers: not a worker of this run", cfg.Index, run[keyWorkers])
	}
	inputEvery, err := time.ParseDuration(run[keyInputEvery])
	if err != nil || inputEvery <= 0 {
		return fmt.Errorf("the run's input period %q: want a positive duration", run[keyInputEvery])
	}
	out := newShardWriter(cfg.Client, cfg.Namespace, cfg.Index)
	if err := out.flush(ctx, workerStatus{Ready: true}); err != nil {
		return err
	}
	start, err := awaitStart(ctx, cfg.Client, cfg.Namespace)
	if err != nil {
		return err
	}
	clk := newClock(start, sc.Speedup)
	// Inside the cluster, rooms are on pod IPs: nothing here is remote.
	g := &generator{start: start, matchmaker: run[keyMatchmaker], record: out.Record, targets: targets{remote: true}, log: cfg.Logger, inputEvery: inputEvery,
		status: newStatus(clk, sc.Duration.Duration), dialer: client.NewDialer(),
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}
	bg, stopBg := context.WithCancel(ctx)
	defer stopBg()
	// This process's own CPU and scheduler, sent with every status: the
	// CLI's harness check judges the players' processes, which are these.
	smp := guard.NewSampler()
	go g.bugs.guard(func() { smp.Run(bg) })
	snapshot := func() workerStatus {
		s := g.status.snapshot()
		if p, ok := smp.Process(); ok {
			s.Process = &p
		}
		return s
	}
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		g.bugs.guard(func() { g.sendLive(bg, out, every, snapshot, cfg.Logger) })
	}()
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(start)):
	}
	playCtx, waitingAtEnd := g.runEnd(ctx, start.Add(clk.wall(sc.Duration.Duration)), cfg.Logger)
	played := g.replay(playCtx, sc, clk, arrivalSubset{uint64(cfg.Index), uint64(workers)})
	waiting := waitingAtEnd()
	stopBg()
	<-flushed
	final := snapshot()
	final.Final = ctx.Err() == nil
	if cfg.Index == 0 {
		final.Waiting = waiting
	}
	if err := g.bugs.get(); err != nil {
		final.Error = err.Error()
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		final.MaxRSS = ru.Maxrss << 10 // Linux reports KiB
	}
	// The last flush must go out even when ctx ended (a SIGTERM from the
	// Job's removal): it is what this worker gathered.
	last, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := out.flush(last, final); err != nil {
		return fmt.Errorf("sending the last outcomes: %w", err)
	}
	cfg.Logger.Info("worker done", "worker", cfg.Index, "of", workers, "played", played)
	return errors.Join(g.bugs.get(), ctx.Err())
}

// sendLive rotates the live status every second and sends outcomes and
// status every `every` until ctx ends. A failed send is retried at the
// next flush: the outcomes stay queued.
func (g *generator) sendLive(ctx context.Context, out *shardWriter, every time.Duration, snapshot func() workerStatus, log *slog.Logger) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if now.Sub(last) >= every {
				last = now
				if err := out.flush(ctx, snapshot()); err != nil && ctx.Err() == nil {
					log.Warn("sending outcomes", "err", err)
				}
			}
			g.status.rotate()
		}
	}
}

func readRunConfig(ctx context.Context, client kubernetes.Interface, ns string) (map[string]string, error) {
	cm, err := client.CoreV1().ConfigMaps(ns).Get(ctx, jobs.InputName(workerJobName), metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the run's ConfigMap %s/%s: %w", ns, jobs.InputName(workerJobName), err)
	}
	return cm.Data, nil
}

// awaitStart waits at the barrier until the CLI writes the start.
func awaitStart(ctx context.Context, client kubernetes.Interface, ns string) (time.Time, error) {
	var start time.Time
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, barrierLimit, true, func(ctx context.Context) (bool, error) {
		cm, err := client.CoreV1().ConfigMaps(ns).Get(ctx, jobs.InputName(workerJobName), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, fmt.Errorf("the run's ConfigMap %s/%s is gone: the run was abandoned", ns, jobs.InputName(workerJobName))
		}
		if err != nil || cm.Data[keyStart] == "" {
			return false, nil
		}
		start, err = time.Parse(time.RFC3339Nano, cm.Data[keyStart])
		return err == nil, err
	})
	if err != nil {
		return start, fmt.Errorf("waiting at the start barrier: %w", err)
	}
	return start, nil
}
