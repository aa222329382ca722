package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetbench/fleetbench/loadgen/guard"
)

// endGrace is how long after the scenario's end (or the workers' stop)
// the CLI waits for their last outcomes: players are interrupted at the
// end, so a worker sends its last flush within seconds.
const endGrace = time.Minute

// workersSent is what a distributed run's workers sent.
type workersSent struct {
	players uint64 // arrivals the workers played
	waiting int64  // formed matches still waiting at the end (worker 0)
	lost    error  // the workers that stopped before sending everything
	// held is the most sessions in rooms at once over the 1 s samples of
	// the workers' statuses; last the statuses at the end.
	held int64
	last []workerStatus
}

// collect shows the workers' live status until every worker has sent
// its last outcomes, then merges their outcomes into the recorder. When
// run ends early (interrupted, or the stack died) the workers are
// stopped and have endGrace to send what they have. The API calls after
// run ended use api, which outlives it.
func (t *workerPods) collect(run, api context.Context, g *generator, rec *Recorder, end time.Time) workersSent {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := make([]workerStatus, t.n)
	deadline := end.Add(endGrace)
	stopped := false
	var held int64
	for {
		// Pods first: a worker writes its last status before it exits, so
		// a pod seen ended has its last status in the list read after.
		pods, perr := t.pods(api)
		statuses, serr := t.statuses(api)
		if serr == nil {
			last = statuses
			t.noteProcesses(statuses)
			g.status.show(statuses)
			held = max(held, g.status.inRoom.Load())
		}
		if (perr == nil && serr == nil && settled(pods, statuses)) || time.Now().After(deadline) {
			break
		}
		if run.Err() != nil && !stopped {
			t.stop(api)
			stopped, deadline = true, time.Now().Add(endGrace)
		}
		select {
		case <-tick.C:
		case <-run.Done():
		}
	}
	got := workersSent{held: held, last: last}
	read, err := t.chunks(api, rec)
	var lost []error
	for i, s := range last {
		got.players += uint64(s.Arrivals)
		switch {
		case i < len(read) && read[i] < s.Sent:
			lost = append(lost, fmt.Errorf("worker %d: %d of the %d outcomes it sent could not be read", i, s.Sent-read[i], s.Sent))
		case s.Error != "":
			lost = append(lost, fmt.Errorf("worker %d stopped early: %s", i, s.Error))
		case !s.Final && !stopped:
			lost = append(lost, fmt.Errorf("worker %d stopped before the end (%d players sent): players it finished after its last flush are lost", i, s.Sent))
		}
	}
	got.waiting = last[0].Waiting
	if err != nil {
		lost = append(lost, err)
	}
	if len(lost) > 0 {
		got.lost = fmt.Errorf("%w: %w", ErrWorkerLost, errors.Join(lost...))
	}
	return got
}

// settled: every worker has sent its last status, or its pod has ended
// or is being deleted (it will send nothing more).
func settled(pods []corev1.Pod, last []workerStatus) bool {
	done := 0
	for _, s := range last {
		if s.Final || s.Error != "" {
			done++
		}
	}
	if done == len(last) {
		return true
	}
	for _, p := range pods {
		i, err := strconv.Atoi(p.Annotations[batchv1.JobCompletionIndexAnnotation])
		if err != nil || i < 0 || i >= len(last) || last[i].Final || last[i].Error != "" {
			continue
		}
		if p.Status.Phase != corev1.PodFailed && p.Status.Phase != corev1.PodSucceeded && p.DeletionTimestamp == nil {
			return false
		}
	}
	return true
}

// reportScale says what the workers held: the figure that sizes a
// bigger run (sessions per worker, memory per session).
func reportScale(w io.Writer, got workersSent) {
	var rss []string
	for _, s := range got.last {
		rss = append(rss, fmt.Sprintf("%.0f", float64(s.MaxRSS)/(1<<20)))
	}
	fmt.Fprintf(w, "workers: %d; sessions in rooms at once (peak of 1 s samples): %d; peak RSS per worker (MiB): %s\n",
		len(got.last), got.held, strings.Join(rss, " "))
}

// noteProcesses keeps the workers' own figures from their statuses.
func (t *workerPods) noteProcesses(statuses []workerStatus) {
	var ps []guard.Process
	for _, s := range statuses {
		if s.Process != nil {
			ps = append(ps, *s.Process)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.procs = ps
}

// processes is the workers' own figures as last reported.
func (t *workerPods) processes() []guard.Process {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.procs
}
