package main

import (
	"context"
	"errors"
	"flag"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/clusters/workjob"
	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/sim"
	"github.com/fleetbench/fleetbench/sweepjob"
)

// clusterFlags say where a sweep's runs go instead of this machine.
type clusterFlags struct {
	kubeconfig, namespace string
	workers               int
	res                   workjob.Resources
}

// maxClusterWorkers bounds --cluster-workers (the Job's pods).
const maxClusterWorkers = 1000

func (f *clusterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.kubeconfig, "cluster", "", "run the sweep's runs as an Indexed Job on the cluster of this kubeconfig")
	fs.StringVar(&f.namespace, "namespace", "fleetbench-sweep", "with --cluster: the namespace of the Job (created and removed if missing)")
	fs.IntVar(&f.workers, "cluster-workers", 2, "with --cluster: worker pods")
	f.res = workjob.Resources{CPU: resource.MustParse("1"), Memory: resource.MustParse("256Mi")}
	workjob.RegisterFlags(fs, &f.res, "sim")
}

// runJobs checks the cluster and returns the sweep's runner on it.
func (f *clusterFlags) runJobs(e env, sw sweepjob.Sweep) (func(context.Context, []sim.Job) ([]*results.Run, error), error) {
	if f.workers < 1 || f.workers > maxClusterWorkers {
		return nil, cli.Inputf("--cluster-workers %d: want 1 to %d", f.workers, maxClusterWorkers)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", f.kubeconfig)
	if err != nil {
		return nil, cli.Inputf("--cluster %s: %w", f.kubeconfig, err)
	}
	rc.QPS, rc.Burst = 50, 100
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, err
	}
	c := sweepjob.Config{Client: client, Namespace: f.namespace, Workers: f.workers, Resources: f.res, Logger: e.logger(true)}
	if err := c.Check(e.ctx); err != nil {
		return nil, err
	}
	return c.RunJobs(sw), nil
}

// workerCmd is `sim worker`, one pod of a sweep's Job (its index,
// namespace and API access from the pod: workjob.PodFlags).
func (e env) workerCmd(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	pod, err := workjob.PodFlags(fs, args, "fleetbench-sweep")
	if errors.Is(err, workjob.ErrPodFlags) {
		return cli.Input(err)
	}
	if err != nil {
		return err
	}
	return sweepjob.Work(e.ctx, pod.Client, pod.Namespace, pod.Index, e.logger(true))
}
