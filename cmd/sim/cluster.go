package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"

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

// workerCmd is `sim worker`, one pod of a sweep's Job: its index from
// the Job, its namespace from the downward API, its API access from the
// pod's service account (or KUBECONFIG where the pod runner sets one).
func (e env) workerCmd(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	index := fs.String("index", os.Getenv("JOB_COMPLETION_INDEX"), "this worker's index (default $JOB_COMPLETION_INDEX)")
	ns := fs.String("namespace", cmp.Or(os.Getenv("POD_NAMESPACE"), "fleetbench-sweep"), "the sweep's namespace (default $POD_NAMESPACE)")
	if err := fs.Parse(args); err != nil {
		return cli.Input(err)
	}
	i, err := strconv.Atoi(*index)
	if err != nil || i < 0 {
		return cli.Inputf("--index %q: want the worker's completion index, 0 or more", *index)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return fmt.Errorf("worker %d: API access: %w", i, err)
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	return sweepjob.Work(e.ctx, client, *ns, i, e.logger(true))
}
