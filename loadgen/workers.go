package loadgen

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/manifests"
	"github.com/fleetbench/fleetbench/scenarios"
)

// ErrWorkers: --workers asks for what the cluster cannot give (bad input).
var ErrWorkers = errors.New("--workers")

// ErrWorkerLost: a worker stopped before sending all it gathered.
var ErrWorkerLost = errors.New("a worker was lost")

// team is a distributed run's workers, as the CLI sees them.
type team struct {
	client kubernetes.Interface
	ns     string
	n      int
	log    *slog.Logger
}

// startMargin is how far ahead of now the start is set, so every worker
// has read it (they poll every 100 ms) before it comes.
const startMargin = 2 * time.Second

// startWorkers checks that the cluster can run n workers, creates them
// and waits until each is at the start barrier.
func startWorkers(ctx context.Context, c *clusters.Cluster, sc *scenarios.Scenario, matchmaker string, n int, res WorkerResources, log *slog.Logger) (*team, error) {
	client, err := c.Client()
	if err != nil {
		return nil, err
	}
	t := &team{client: client, ns: manifests.Namespace, n: n, log: log}
	mm, err := client.AppsV1().Deployments(t.ns).Get(ctx, "matchmaker", metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("the stack's matchmaker: %w", err)
	}
	selector := mm.Spec.Template.Spec.NodeSelector
	fits, err := schedulable(ctx, client, selector, res)
	if err != nil {
		return nil, err
	}
	if fits < n {
		return nil, fmt.Errorf("%w %d: the nodes the stack runs on (%s) can take %d more pods of %s CPU and %s memory; lower --workers or --worker-cpu/--worker-memory",
			ErrWorkers, n, labelsText(selector), fits, res.CPU.String(), res.Memory.String())
	}
	image := cmp.Or(res.Image, workerImage(mm.Spec.Template.Spec.Containers[0].Image))
	if err := t.remove(ctx); err != nil { // an earlier run's, left with --keep
		return nil, err
	}
	if err := t.create(ctx, sc, matchmaker, workerJob(t.ns, int32(n), image, res, selector)); err != nil {
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

func (t *team) create(ctx context.Context, sc *scenarios.Scenario, matchmaker string, job *batchv1.Job) error {
	sa, role, binding := workerRBAC(t.ns)
	core, rbac := t.client.CoreV1(), t.client.RbacV1()
	meta := metav1.ObjectMeta{Name: runConfigName, Namespace: t.ns, Labels: map[string]string{workerLabel: "run"}}
	run := &corev1.ConfigMap{ObjectMeta: meta, Data: map[string]string{
		keyScenario: sc.YAML(), keyHash: sc.Hash(), keyMatchmaker: matchmaker, keyWorkers: strconv.Itoa(t.n)}}
	steps := []func() error{
		func() error { _, err := core.ServiceAccounts(t.ns).Create(ctx, sa, metav1.CreateOptions{}); return err },
		func() error { _, err := rbac.Roles(t.ns).Create(ctx, role, metav1.CreateOptions{}); return err },
		func() error {
			_, err := rbac.RoleBindings(t.ns).Create(ctx, binding, metav1.CreateOptions{})
			return err
		},
		func() error { _, err := core.ConfigMaps(t.ns).Create(ctx, run, metav1.CreateOptions{}); return err },
		func() error {
			_, err := t.client.BatchV1().Jobs(t.ns).Create(ctx, job, metav1.CreateOptions{})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("creating the workers: %w", err)
		}
	}
	return nil
}

// barrier waits until every worker reports Ready, failing fast on a
// worker pod that failed or cannot be scheduled.
func (t *team) barrier(ctx context.Context) error {
	var ready int
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, barrierLimit, true, func(ctx context.Context) (bool, error) {
		if err := t.podsFailed(ctx, false); err != nil {
			return false, err
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

// podsFailed reports a worker pod that failed, or that the scheduler
// refused, by name and reason (atEnd: only failures count).
func (t *team) podsFailed(ctx context.Context, atEnd bool) error {
	pods, err := t.pods(ctx)
	if err != nil {
		return nil // a missed look is retried
	}
	for _, p := range pods {
		if p.Status.Phase == corev1.PodFailed {
			return fmt.Errorf("worker pod %s failed: %s", p.Name, podReason(p))
		}
		for _, c := range p.Status.Conditions {
			if !atEnd && c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable {
				return fmt.Errorf("worker pod %s cannot be scheduled: %s", p.Name, c.Message)
			}
		}
	}
	return nil
}

func podReason(p corev1.Pod) string {
	for _, cs := range p.Status.ContainerStatuses {
		if term := cs.State.Terminated; term != nil {
			return fmt.Sprintf("exit code %d %s %s", term.ExitCode, term.Reason, strings.TrimSpace(term.Message))
		}
	}
	return cmp.Or(p.Status.Reason+" "+p.Status.Message, "phase "+string(p.Status.Phase))
}

func (t *team) pods(ctx context.Context) ([]corev1.Pod, error) {
	list, err := t.client.CoreV1().Pods(t.ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + workerName})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// statuses is every worker's last status (one LIST; a worker not heard
// from yet has a zero status).
func (t *team) statuses(ctx context.Context) ([]workerStatus, error) {
	list, err := t.client.CoreV1().ConfigMaps(t.ns).List(ctx, metav1.ListOptions{LabelSelector: workerLabel + "=" + kindStatus})
	if err != nil {
		return nil, err
	}
	out := make([]workerStatus, t.n)
	for _, cm := range list.Items {
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
func (t *team) release(ctx context.Context, start time.Time) error {
	cms := t.client.CoreV1().ConfigMaps(t.ns)
	cm, err := cms.Get(ctx, runConfigName, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("releasing the workers: %w", err)
	}
	cm.Data[keyStart] = start.UTC().Format(time.RFC3339Nano)
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("releasing the workers: %w", err)
	}
	return nil
}

// remove deletes every object of the workers and waits until their pods
// are gone; with none there it does nothing.
func (t *team) remove(ctx context.Context) error {
	bg := metav1.DeletePropagationBackground
	del := metav1.DeleteOptions{PropagationPolicy: &bg}
	ignore := func(err error) error {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	sel := metav1.ListOptions{LabelSelector: workerLabel}
	errs := []error{
		ignore(t.client.BatchV1().Jobs(t.ns).Delete(ctx, workerName, del)),
		ignore(t.client.CoreV1().Pods(t.ns).DeleteCollection(ctx, del, metav1.ListOptions{LabelSelector: "app=" + workerName})),
		ignore(t.client.CoreV1().ConfigMaps(t.ns).DeleteCollection(ctx, del, sel)),
		ignore(t.client.RbacV1().RoleBindings(t.ns).Delete(ctx, workerName, del)),
		ignore(t.client.RbacV1().Roles(t.ns).Delete(ctx, workerName, del)),
		ignore(t.client.CoreV1().ServiceAccounts(t.ns).Delete(ctx, workerName, del)),
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing the workers: %w", err)
	}
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := t.pods(ctx)
		return err == nil && len(pods) == 0, nil
	})
}

// stop deletes the Job: its pods get SIGTERM and send what they have.
func (t *team) stop(ctx context.Context) {
	bg := metav1.DeletePropagationBackground
	if err := t.client.BatchV1().Jobs(t.ns).Delete(ctx, workerName, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil && !apierrors.IsNotFound(err) {
		t.log.Warn("stopping the workers", "err", err)
	}
}

// chunks reads every outcome chunk into rec, decoding chunks in
// parallel; it returns the players read per worker.
func (t *team) chunks(ctx context.Context, rec *Recorder) ([]int64, error) {
	list, err := t.client.CoreV1().ConfigMaps(t.ns).List(ctx, metav1.ListOptions{LabelSelector: workerLabel + "=" + kindOutcomes})
	if err != nil {
		return nil, fmt.Errorf("reading the workers' outcomes: %w", err)
	}
	read := make([]atomic.Int64, t.n)
	errs := make([]error, len(list.Items))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range list.Items {
		cm := &list.Items[i]
		var worker, k int
		if _, err := fmt.Sscanf(cm.Name, "loadgen-outcomes-%d-%d", &worker, &k); err != nil || worker < 0 || worker >= t.n {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			err := readOutcomes(bytes.NewReader(cm.BinaryData[outcomesKey]), func(o Outcome, line []byte) {
				read[worker].Add(1)
				rec.record(o, line)
			})
			if err != nil {
				errs[i] = fmt.Errorf("worker %d's outcomes (chunk %d): %w", worker, k, err)
			}
		})
	}
	wg.Wait()
	out := make([]int64, t.n)
	for i := range read {
		out[i] = read[i].Load()
	}
	return out, errors.Join(errs...)
}
