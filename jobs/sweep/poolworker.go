package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// serve is a Pool worker: it waits for each new batch in the Job's input
// (a watch, not a poll: a Pool's workers would otherwise ask the API
// server for their input several times a second each), runs its share and
// sends the runs and a final status for that batch, until told to stop.
func serve(ctx context.Context, client kubernetes.Interface, ns, job string, index int, input map[string]string, report func(status) error, log *slog.Logger) error {
	fail := func(gen int, err error) error {
		return fmt.Errorf("worker %d: %w", index, errors.Join(err, report(status{Gen: gen, Error: err.Error()})))
	}
	workers, err := strconv.Atoi(input[keyWorkers])
	if err != nil || workers < 1 || index >= workers {
		return fail(0, fmt.Errorf("worker %d of a pool of %q workers: not a worker of it", index, input[keyWorkers]))
	}
	done := 0
	for {
		b, err := nextBatch(ctx, client, ns, job, done)
		if err != nil {
			return fail(done, err)
		}
		if b.Stop {
			log.Info("pool worker stops", "worker", index, "batches", done)
			return nil
		}
		n, err := runBatch(ctx, client, ns, job, index, workers, b)
		if err != nil {
			return fail(b.Gen, err)
		}
		if err := report(status{Gen: b.Gen, Done: n, Of: n, Final: true}); err != nil {
			return err
		}
		done = b.Gen
	}
}

// nextBatch waits until the input holds a batch after gen (or the stop).
func nextBatch(ctx context.Context, client kubernetes.Interface, ns, job string, gen int) (batch, error) {
	cms := client.CoreV1().ConfigMaps(ns)
	only := fields.OneTermEqualSelector("metadata.name", jobs.InputName(job)).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = only
			return cms.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = only
			return cms.Watch(ctx, o)
		},
	}
	var b batch
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.ConfigMap{}, nil, func(ev watch.Event) (bool, error) {
		cm, ok := ev.Object.(*corev1.ConfigMap)
		if !ok || ev.Type == watch.Deleted {
			return false, nil
		}
		b = batch{}
		if err := json.Unmarshal([]byte(cm.Data[keyBatch]), &b); err != nil {
			return false, fmt.Errorf("the pool's batch: %w", err)
		}
		return b.Stop || b.Gen > gen, nil
	})
	return b, err
}

// runBatch runs the jobs of b that are worker index's and sends their
// runs; it returns how many it ran.
func runBatch(ctx context.Context, client kubernetes.Interface, ns, job string, index, workers int, b batch) (int, error) {
	var err error
	parsed := make([]*scenarios.Scenario, len(b.Scenarios))
	var mine []sim.Job
	var at []int
	for i := index; i < len(b.Jobs); i += workers {
		j := b.Jobs[i]
		if j.Scenario < 0 || j.Scenario >= len(parsed) {
			return 0, fmt.Errorf("batch %d job %d: scenario %d of %d", b.Gen, i, j.Scenario, len(parsed))
		}
		if parsed[j.Scenario] == nil {
			if parsed[j.Scenario], err = scenarios.Parse([]byte(b.Scenarios[j.Scenario]), "."); err != nil {
				return 0, fmt.Errorf("batch %d scenario %d: %w", b.Gen, j.Scenario, err)
			}
		}
		sc := *parsed[j.Scenario]
		sc.Seed = j.Seed
		mine, at = append(mine, sim.Job{Scenario: &sc, JudgeOnly: j.JudgeOnly}), append(at, i)
	}
	runs, err := sim.RunAll(ctx, mine, 0, sim.Options{Version: b.Version})
	if err != nil {
		return 0, err
	}
	box := &jobs.Outbox{Client: client, Namespace: ns, Job: job, Kind: batchKind(b.Gen), Worker: index}
	for k, r := range runs {
		line, err := encodeLine(at[k], r)
		if err != nil {
			return 0, err
		}
		box.Add(line)
	}
	_, _, err = box.Flush(ctx)
	return len(runs), err
}
