package main

import (
	"errors"
	"flag"

	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/loadgen"
)

// workerCmd is `loadgen worker`, the process of one worker pod: its
// index and namespace come from the Job (JOB_COMPLETION_INDEX and the
// downward API), its API access from the pod's service account.
func (e env) workerCmd(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	pod, err := jobs.PodFlags(fs, args, "fleetbench")
	if errors.Is(err, jobs.ErrPodFlags) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	return loadgen.PlayAsWorker(e.ctx, loadgen.WorkerConfig{Client: pod.Client, Namespace: pod.Namespace, Index: pod.Index, Logger: e.logger(true)})
}
