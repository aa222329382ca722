package main

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"strconv"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/loadgen"
)

// workerCmd is `loadgen worker`, the process of one worker pod: its
// index and namespace come from the Job (JOB_COMPLETION_INDEX and the
// downward API), its API access from the pod's service account.
func (e env) workerCmd(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	index := fs.String("index", os.Getenv("JOB_COMPLETION_INDEX"), "this worker's index (default $JOB_COMPLETION_INDEX)")
	ns := fs.String("namespace", cmp.Or(os.Getenv("POD_NAMESPACE"), "fleetbench"), "the run's namespace (default $POD_NAMESPACE)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	i, err := strconv.Atoi(*index)
	if err != nil || i < 0 {
		return usageError{fmt.Errorf("--index %q: want the worker's completion index, 0 or more", *index)}
	}
	// KUBECONFIG where the pod runner gives one, else in-cluster.
	rc, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return fmt.Errorf("worker %d: API access: %w", i, err)
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	return loadgen.Work(e.ctx, loadgen.WorkerConfig{Client: client, Namespace: *ns, Index: i, Logger: e.logger(true)})
}
