package loadgen

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/loadgen/guard"
	"github.com/fleetbench/fleetbench/scenarios"
)

// ErrWorkers: --workers asks for what the cluster cannot give (bad input).
var ErrWorkers = errors.New("--workers")

// ErrWorkerLost: a worker stopped before sending all it gathered.
var ErrWorkerLost = errors.New("a worker was lost")

// workerPods is a distributed run's workers, as the CLI sees them.
type workerPods struct {
	client kubernetes.Interface
	ns     string
	n      int
	log    *slog.Logger

	mu    sync.Mutex
	procs []guard.Process // the workers' own figures, as last reported
}

// startMargin is how far ahead of now the start is set, so every worker
// has read it (they poll every 100 ms) before it comes.
const startMargin = 2 * time.Second

// startWorkers checks that the cluster can run n workers, creates them
// and waits until each is at the start barrier.
func startWorkers(ctx context.Context, sc *scenarios.Scenario, matchmaker string, cfg Config) (*workerPods, error) {
	n, res := cfg.Workers, cfg.WorkerResources
	client, err := cfg.Cluster.Client()
	if err != nil {
		return nil, err
	}
	t := &workerPods{client: client, ns: manifests.Namespace, n: n, log: cfg.Logger}
	mm, err := client.AppsV1().Deployments(t.ns).Get(ctx, "matchmaker", metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("the stack's matchmaker: %w", err)
	}
	selector := mm.Spec.Template.Spec.NodeSelector
	fits, err := jobs.Schedulable(ctx, client, selector, res)
	if err != nil {
		return nil, err
	}
	if fits < n {
		return nil, fmt.Errorf("%w %d: the nodes the stack runs on (%s) can take %d more pods of %s CPU and %s memory; lower --workers or --worker-cpu/--worker-memory",
			ErrWorkers, n, labelsText(selector), fits, res.CPU.String(), res.Memory.String())
	}
	spec := jobs.Spec{Namespace: t.ns, Name: workerJobName, Workers: int32(n), Args: []string{"worker"}, Resources: res, NodeSelector: selector,
		Image: cmp.Or(res.Image, jobs.Image("loadgen", mm.Spec.Template.Spec.Containers[0].Image))}
	if err := t.remove(ctx); err != nil { // an earlier run's, left with --keep
		return nil, err
	}
	input := map[string]string{keyScenario: sc.YAML(), keyHash: sc.Hash(), keyMatchmaker: matchmaker, keyWorkers: strconv.Itoa(n),
		keyInputEvery: cmp.Or(cfg.InputEvery, defaultInputEvery).String()}
	if err := jobs.Create(ctx, client, spec, input); err != nil {
		return nil, errors.Join(err, t.remove(context.WithoutCancel(ctx)))
	}
	if err := t.barrier(ctx); err != nil {
		return nil, errors.Join(err, t.remove(context.WithoutCancel(ctx)))
	}
	return t, nil
}

func labelsText(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return cmp.Or(strings.Join(parts, ","), "any node")
}

// barrier waits until every worker reports Ready, failing fast on a
// worker pod that failed or cannot be scheduled.
func (t *workerPods) barrier(ctx context.Context) error {
	var ready int
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, barrierLimit, true, func(ctx context.Context) (bool, error) {
		if pods, err := t.pods(ctx); err == nil {
			if err := jobs.PodFailure(pods); err != nil {
				return false, err
			}
		}
		statuses, err := t.statuses(ctx)
		if err != nil {
			return false, nil
		}
		ready = 0
		for _, s := range statuses {
			if s.Ready {
				ready++
			}
		}
		return ready == t.n, nil
	})
	if err != nil {
		return fmt.Errorf("%d of %d workers at the start barrier: %w", ready, t.n, err)
	}
	return nil
}

func (t *workerPods) pods(ctx context.Context) ([]corev1.Pod, error) {
	return jobs.Pods(ctx, t.client, t.ns, workerJobName)
}

// statuses is every worker's last status (one LIST; a worker not heard
// from yet has a zero status).
func (t *workerPods) statuses(ctx context.Context) ([]workerStatus, error) {
	list, err := jobs.List(ctx, t.client, t.ns, workerJobName, kindStatus)
	if err != nil {
		return nil, err
	}
	out := make([]workerStatus, t.n)
	for _, cm := range list {
		var s workerStatus
		if err := json.Unmarshal([]byte(cm.Data[statusKey]), &s); err != nil || s.Worker < 0 || s.Worker >= t.n {
			t.log.Warn("a worker status that does not read", "configmap", cm.Name, "err", err)
			continue
		}
		out[s.Worker] = s
	}
	return out, nil
}

// release writes the start: every worker plays from then.
func (t *workerPods) release(ctx context.Context, start time.Time) error {
	cms := t.client.CoreV1().ConfigMaps(t.ns)
	cm, err := cms.Get(ctx, jobs.InputName(workerJobName), metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("releasing the workers: %w", err)
	}
	cm.Data[keyStart] = start.UTC().Format(time.RFC3339Nano)
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("releasing the workers: %w", err)
	}
	return nil
}

// remove deletes every object of the workers and waits until their
// pods are gone.
func (t *workerPods) remove(ctx context.Context) error {
	return jobs.Remove(ctx, t.client, t.ns, workerJobName)
}

// stop deletes the Job: its pods get SIGTERM and send what they have.
func (t *workerPods) stop(ctx context.Context) {
	if err := jobs.Stop(ctx, t.client, t.ns, workerJobName); err != nil {
		t.log.Warn("stopping the workers", "err", err)
	}
}

// chunks reads every worker's outcomes into rec; it returns the players
// read per worker.
func (t *workerPods) chunks(ctx context.Context, rec *Recorder) ([]int64, error) {
	return jobs.ReadLines(ctx, t.client, t.ns, workerJobName, kindOutcomes, t.n, func(_ int, line []byte) error {
		var o Outcome
		if err := json.Unmarshal(line, &o); err != nil {
			return err
		}
		rec.record(o, line)
		return nil
	})
}
