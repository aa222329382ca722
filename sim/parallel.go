package sim

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/fleetbench/fleetbench/internal/bug"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// Job is one model run: a scenario with its seed already set.
type Job struct {
	Scenario *scenarios.Scenario
	// JudgeOnly skips what only charts read (time to room's percentiles
	// per step, 15% of a run), for days that are judged and counted only.
	JudgeOnly bool
}

// RunAll runs independent jobs on up to workers goroutines (0 means
// GOMAXPROCS) and returns the runs in job order, so the result does not
// depend on scheduling. The runs carry raw histograms and no verdicts:
// pass them through results.Merge. It stops early when ctx is cancelled.
func RunAll(ctx context.Context, jobs []Job, workers int, opts Options) ([]*results.Run, error) {
	opts.raw = true // callers merge, then summarize once
	out := make([]*results.Run, len(jobs))
	err := parallel(ctx, len(jobs), workers, func(i int) (err error) {
		o := opts
		o.judgeOnly = jobs[i].JudgeOnly
		out[i], err = Run(ctx, jobs[i].Scenario, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parallel calls do(0…n−1) on up to workers goroutines (0 = GOMAXPROCS),
// stopping early when ctx is cancelled, and returns the first error by index.
func parallel(ctx context.Context, n, workers int, do func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				errs[i] = catch(do, i)
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("model runs: %w", err)
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// catch is do(i), a panic included (as a *bug.Panic): a bug in one run
// is reported as one, not as the death of the process.
func catch(do func(int) error, i int) (err error) {
	defer bug.Catch(&err)
	return do(i)
}

// replicationJobs are reps replications of a scenario: seeds seed, seed+1, ….
func replicationJobs(sc *scenarios.Scenario, reps int) []Job {
	jobs := make([]Job, max(reps, 1))
	for i := range jobs {
		c := *sc
		c.Seed = sc.Seed + uint64(i)
		jobs[i] = Job{Scenario: &c}
	}
	return jobs
}
