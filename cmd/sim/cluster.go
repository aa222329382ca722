package main

import (
	"context"
	"errors"
	"flag"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/jobs/sweep"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/sim"
	"github.com/fleetbench/fleetbench/sizing"
)

// clusterFlags say where a command's model runs go instead of this
// machine: a sweep's, or a check's or plan's days.
type clusterFlags struct {
	kubeconfig, namespace string
	workers               int
	res                   jobs.Resources
}

// maxClusterWorkers bounds --cluster-workers (the Job's pods).
const maxClusterWorkers = 1000

func (f *clusterFlags) register(fs *flag.FlagSet, what string) {
	fs.StringVar(&f.kubeconfig, "cluster", "", "run the "+what+" as an Indexed Job on the cluster of this kubeconfig")
	fs.StringVar(&f.namespace, "cluster-namespace", "fleetbench-sim", "with --cluster: the namespace of the Job (created and removed if missing)")
	fs.IntVar(&f.workers, "cluster-workers", 2, "with --cluster: worker pods")
	f.res = jobs.Resources{CPU: resource.MustParse("1"), Memory: resource.MustParse("256Mi")}
	jobs.RegisterFlags(fs, &f.res, "sim")
}

// unused refuses the flags that only mean something with --cluster when
// it is not given: a --cluster-workers 8 silently ignored would run the
// command on this machine with a number the user never sees applied.
func (f *clusterFlags) unused(fs *flag.FlagSet) error {
	if f.kubeconfig != "" {
		return nil
	}
	var set []string
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "cluster-namespace", "cluster-workers", "worker-cpu", "worker-memory", "worker-image":
			set = append(set, "--"+fl.Name)
		}
	})
	if len(set) > 0 {
		return cli.Inputf("%s: only with --cluster KUBECONFIG, which is not given", strings.Join(set, ", "))
	}
	return nil
}

// config checks the flags and the cluster: permissions and room for the
// workers, before any work.
func (f *clusterFlags) config(e env) (sweep.Config, error) {
	if f.workers < 1 || f.workers > maxClusterWorkers {
		return sweep.Config{}, cli.Inputf("--cluster-workers %d: want 1 to %d", f.workers, maxClusterWorkers)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", f.kubeconfig)
	if err != nil {
		return sweep.Config{}, cli.Inputf("--cluster %s: %w", f.kubeconfig, err)
	}
	rc.QPS, rc.Burst = 50, 100
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return sweep.Config{}, err
	}
	c := sweep.Config{Client: client, Namespace: f.namespace, Workers: f.workers, Resources: f.res, Logger: e.logger(true)}
	return c, c.Check(e.ctx)
}

// runJobs checks the cluster and returns the sweep's runner on it.
func (f *clusterFlags) runJobs(e env, sw sweep.Sweep) (func(context.Context, []sim.Job) ([]*results.Run, error), error) {
	c, err := f.config(e)
	if err != nil {
		return nil, err
	}
	return c.RunJobs(sw), nil
}

// pool, with --cluster, starts a Pool of workers for a check's or plan's
// days and returns what stops it. Days go in chunks of --cluster-workers,
// so the answer is the local one with --workers set to that number.
func (f *clusterFlags) pool(e env, o *sizing.CheckOptions) (stop func() error, err error) {
	if f.kubeconfig == "" {
		return func() error { return nil }, nil
	}
	if o.Workers != 0 {
		return nil, cli.Inputf("--workers %d with --cluster: the days run on --cluster-workers pods", o.Workers)
	}
	c, err := f.config(e)
	if err != nil {
		return nil, err
	}
	p, err := c.StartPool(e.ctx, o.Version)
	if err != nil {
		return nil, err
	}
	o.Workers, o.RunJobs = f.workers, p.RunJobs
	return func() error { return p.Close(e.ctx) }, nil
}

// workerCmd is `sim worker`, one pod of a sweep's or a Pool's Job (its index,
// namespace and API access from the pod: jobs.PodFlags).
func (e env) workerCmd(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	job := fs.String("job", "sim-sweep", "the Job this pod is a worker of")
	pod, err := jobs.PodFlags(fs, args, "fleetbench-sim")
	if errors.Is(err, jobs.ErrPodFlags) {
		return cli.Input(err)
	}
	if err != nil {
		return err
	}
	return sweep.RunWorker(e.ctx, pod.Client, pod.Namespace, *job, pod.Index, e.logger(true))
}
