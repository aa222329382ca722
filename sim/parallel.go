package sim

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// Job is one model run: a scenario with its seed already set.
type Job struct {
	Scenario *scenarios.Scenario
}

// RunAll runs independent jobs on up to workers goroutines (0 means
// GOMAXPROCS) and returns the runs in job order, so the result does not
// depend on scheduling. It stops early when ctx is cancelled.
func RunAll(ctx context.Context, jobs []Job, workers int, opts Options) ([]*results.Run, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]*results.Run, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = Run(jobs[i].Scenario, opts)
			}
		})
	}
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("model runs: %w", err)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Replicate runs reps replications (seeds seed, seed+1, …) in parallel
// and merges them into one run, judged against the scenario's SLOs.
func Replicate(ctx context.Context, sc *scenarios.Scenario, reps, workers int, opts Options) (*results.Run, error) {
	jobs := replicationJobs(sc, reps)
	runs, err := RunAll(ctx, jobs, workers, opts)
	if err != nil {
		return nil, err
	}
	merged, err := results.Merge(runs)
	if err != nil {
		return nil, err
	}
	merged.Verdicts = results.Judge(merged, sc.SLO)
	return merged, nil
}

func replicationJobs(sc *scenarios.Scenario, reps int) []Job {
	jobs := make([]Job, max(reps, 1))
	for i := range jobs {
		c := *sc
		c.Seed = sc.Seed + uint64(i)
		jobs[i] = Job{Scenario: &c}
	}
	return jobs
}
