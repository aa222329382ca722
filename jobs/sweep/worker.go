package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/sim"
)

// RunWorker is one worker pod (`sim worker`) of Job job: a Pool's worker
// serves its batches; a sweep's rebuilds the sweep's grid, runs its share
// of the jobs, a batch at a time, and sends each batch's runs and its
// progress.
func RunWorker(ctx context.Context, client kubernetes.Interface, ns, job string, index int, log *slog.Logger) error {
	report := func(st status) error {
		st.Worker = index
		body, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return jobs.PutConfigMap(ctx, client, ns, job, job+"-status-"+strconv.Itoa(index), kindStatus, map[string]string{statusKey: string(body)}, nil)
	}
	cm, err := client.CoreV1().ConfigMaps(ns).Get(ctx, jobs.InputName(job), metav1.GetOptions{})
	if err != nil {
		err = fmt.Errorf("reading the work: %w", err)
		return fmt.Errorf("worker %d: %w", index, errors.Join(err, report(status{Error: err.Error()})))
	}
	if cm.Data[keyMode] == modePool {
		return serve(ctx, client, ns, job, index, cm.Data, report, log)
	}
	mine, version, err := assign(cm.Data, index)
	if err != nil {
		// Said where the CLI looks, not only in this pod's log.
		return fmt.Errorf("worker %d: %w", index, errors.Join(err, report(status{Error: err.Error()})))
	}
	box := &jobs.Outbox{Client: client, Namespace: ns, Job: job, Kind: kindRuns, Worker: index}
	batch := 4 * runtime.GOMAXPROCS(0)
	st := status{Of: len(mine.jobs)}
	for from := 0; from < len(mine.jobs); from += batch {
		to := min(from+batch, len(mine.jobs))
		runs, err := sim.RunAll(ctx, mine.jobs[from:to], 0, sim.Options{Version: version})
		if err != nil {
			return errors.Join(err, report(status{Error: err.Error()}))
		}
		for k, r := range runs {
			b, err := encodeLine(mine.index[from+k], r)
			if err != nil {
				return errors.Join(err, report(status{Error: err.Error()}))
			}
			box.Add(b)
		}
		if _, _, err := box.Flush(ctx); err != nil {
			return err
		}
		st.Done = to
		if err := report(st); err != nil {
			return err
		}
	}
	st.Final = true
	log.Info("sweep worker done", "worker", index, "runs", st.Done)
	return report(st)
}

// assigned are the runs of the grid a worker makes: its jobs and their
// indexes in the grid.
type assigned struct {
	jobs  []sim.Job
	index []int
}

// assign builds the runs of the sweep's grid worker index makes, from
// its input.
func assign(input map[string]string, index int) (assigned, string, error) {
	var out assigned
	var axes []sim.Axis
	if err := json.Unmarshal([]byte(input[keyAxes]), &axes); err != nil {
		return out, "", fmt.Errorf("the sweep's axes: %w", err)
	}
	reps, err1 := strconv.Atoi(input[keyReps])
	workers, err2 := strconv.Atoi(input[keyWorkers])
	if err1 != nil || err2 != nil || reps < 1 || workers < 1 || index >= workers {
		return out, "", fmt.Errorf("worker %d of a sweep of %q workers, %q reps: not a worker of it", index, input[keyWorkers], input[keyReps])
	}
	g, err := sim.NewSweepGrid([]byte(input[keyDoc]), ".", axes, reps)
	if err != nil {
		return out, "", err
	}
	for i := index; i < len(g.Jobs); i += workers {
		out.jobs, out.index = append(out.jobs, g.Jobs[i]), append(out.index, i)
	}
	return out, input[keyVersion], nil
}

// encodeLine is one run as one line: its histograms encoded in Metrics
// (results.Marshal), as a run file holds them.
func encodeLine(job int, r *results.Run) ([]byte, error) {
	r.Summarize()
	run, err := results.Marshal(r)
	if err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, run); err != nil {
		return nil, err
	}
	return json.Marshal(line{Job: job, Run: compact.Bytes()})
}
