// Package sweepjob runs model runs as an Indexed Job on any cluster.
// A sweep (`sim sweep --cluster`) is one Job: every worker pod builds the
// same grid from the same scenario and axes, runs the jobs whose index ≡
// its own (mod the workers), and sends each raw run back through the API
// server. A sizing check or plan (`sim check|plan --cluster`) decides
// after each chunk of days what to simulate next, so its Job is a Pool
// that lives for the command and takes one batch of days at a time. The
// CLI puts the runs in job order and goes on as a local command does, so
// its output is byte-identical to a local one's.
package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/sim"
)

const (
	jobName    = "sim-sweep"
	kindRuns   = "runs"
	kindStatus = "status"
	keyDoc     = "scenario.yaml"
	keyAxes    = "axes.json"
	keyReps    = "reps"
	keyWorkers = "workers"
	keyVersion = "version"
	statusKey  = "status.json"
)

// Config is where and how wide a sweep runs.
type Config struct {
	Client    kubernetes.Interface
	Namespace string // created if missing, and then removed after
	Workers   int
	Resources jobs.Resources // Image empty: fleetbench/sim:dev
	Logger    *slog.Logger   // nil logs nothing
}

// Sweep is one sweep's input, as every worker rebuilds its grid.
type Sweep struct {
	Doc     []byte
	Axes    []sim.Axis
	Reps    int
	Version string
}

// line is one run sent back: the job's index and its raw run, with its
// histograms encoded in Metrics (lossless: HdrHistogram's own encoding).
type line struct {
	Job int             `json:"job"`
	Run json.RawMessage `json:"run"`
}

// status is a worker's progress (in a Pool, on batch Gen).
type status struct {
	Worker int    `json:"worker"`
	Gen    int    `json:"gen,omitempty"`
	Done   int    `json:"done"`
	Of     int    `json:"of"`
	Final  bool   `json:"final"`
	Error  string `json:"error,omitempty"`
}

// RunJobs is sim.Options.RunJobs for this sweep on the cluster.
func (c Config) RunJobs(sw Sweep) func(context.Context, []sim.Job) ([]*results.Run, error) {
	return func(ctx context.Context, work []sim.Job) (runs []*results.Run, err error) {
		created, err := c.ensureNamespace(ctx)
		if err != nil {
			return nil, err
		}
		cleanup := context.WithoutCancel(ctx)
		defer func() {
			err = errors.Join(err, jobs.Remove(cleanup, c.Client, c.Namespace, jobName))
			if created {
				err = errors.Join(err, c.Client.CoreV1().Namespaces().Delete(cleanup, c.Namespace, metav1.DeleteOptions{}))
			}
		}()
		if err := c.start(ctx, sw); err != nil {
			return nil, err
		}
		if err := c.await(ctx, jobName, 0, time.Second); err != nil {
			return nil, err
		}
		return c.collect(ctx, jobName, kindRuns, len(work))
	}
}

// Check is what can be known before any work: the permissions, and
// room for the workers.
func (c Config) Check(ctx context.Context) error {
	if err := jobs.CheckPermissions(ctx, c.Client, c.Namespace); err != nil {
		return err
	}
	fits, err := jobs.Schedulable(ctx, c.Client, nil, c.Resources)
	if err != nil {
		return err
	}
	if fits < c.Workers {
		return fmt.Errorf("%w %d: the cluster's nodes can take %d more pods of %s CPU and %s memory", ErrWorkers, c.Workers, fits, c.Resources.CPU.String(), c.Resources.Memory.String())
	}
	return nil
}

// ErrWorkers: more workers than the cluster can schedule (bad input).
var ErrWorkers = errors.New("--cluster-workers")

func (c Config) ensureNamespace(ctx context.Context) (created bool, err error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.Namespace, Labels: map[string]string{jobs.Label: jobName}}}
	_, err = c.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsAlreadyExists(err):
		return false, nil
	}
	return false, fmt.Errorf("namespace %s: %w", c.Namespace, err)
}

func (c Config) start(ctx context.Context, sw Sweep) error {
	axes, err := json.Marshal(sw.Axes)
	if err != nil {
		return err
	}
	return c.create(ctx, jobName, map[string]string{keyDoc: string(sw.Doc), keyAxes: string(axes),
		keyReps: strconv.Itoa(sw.Reps), keyVersion: sw.Version})
}

// create starts Job job's workers with input (and the worker count),
// replacing an interrupted command's Job of the same name.
func (c Config) create(ctx context.Context, job string, input map[string]string) error {
	if err := jobs.Remove(ctx, c.Client, c.Namespace, job); err != nil {
		return err
	}
	spec := jobs.Spec{Namespace: c.Namespace, Name: job, Workers: int32(c.Workers), Args: []string{"worker", "--job", job},
		Resources: c.Resources, Image: c.Resources.Image}
	if spec.Image == "" {
		spec.Image = jobs.Image("sim", "")
	}
	input[keyWorkers] = strconv.Itoa(c.Workers)
	return jobs.Create(ctx, c.Client, spec, input)
}

// await waits until every worker of job has sent its last run of batch
// gen (0: a sweep's only one), failing on a worker that reported an error
// or a pod that failed or cannot be scheduled.
func (c Config) await(ctx context.Context, job string, gen int, every time.Duration) error {
	last := time.Now()
	return wait.PollUntilContextCancel(ctx, every, false, func(ctx context.Context) (bool, error) {
		pods, err := jobs.Pods(ctx, c.Client, c.Namespace, job)
		if err != nil {
			return false, nil
		}
		if err := jobs.PodFailure(pods); err != nil {
			return false, err
		}
		list, err := jobs.List(ctx, c.Client, c.Namespace, job, kindStatus)
		if err != nil {
			return false, nil
		}
		final, done, of := 0, 0, 0
		for _, cm := range list {
			var s status
			if err := json.Unmarshal([]byte(cm.Data[statusKey]), &s); err != nil {
				return false, fmt.Errorf("worker status %s: %w", cm.Name, err)
			}
			if s.Error != "" {
				return false, fmt.Errorf("worker %d: %s", s.Worker, s.Error)
			}
			if s.Gen != gen {
				continue
			}
			done, of = done+s.Done, of+s.Of
			if s.Final {
				final++
			}
		}
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			if c.Logger != nil {
				c.Logger.Info("runs on the cluster", "job", job, "runs", done, "of", of, "workers done", final)
			}
		}
		return final == c.Workers, nil
	})
}

// collect puts the runs job's workers sent as kind in job order; every
// job must be there.
func (c Config) collect(ctx context.Context, job, kind string, n int) ([]*results.Run, error) {
	runs := make([]*results.Run, n)
	_, err := jobs.ReadLines(ctx, c.Client, c.Namespace, job, kind, c.Workers, func(w int, b []byte) error {
		var l line
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		if l.Job < 0 || l.Job >= n || l.Job%c.Workers != w {
			return fmt.Errorf("worker %d sent job %d, not one of its %d", w, l.Job, n)
		}
		r, err := results.Unmarshal(l.Run)
		if err != nil {
			return fmt.Errorf("job %d's run: %w", l.Job, err)
		}
		runs[l.Job] = r // each index is one worker's: no two writers
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, r := range runs {
		if r == nil {
			return nil, fmt.Errorf("job %d's run never came back (worker %d)", i, i%c.Workers)
		}
	}
	return runs, nil
}
