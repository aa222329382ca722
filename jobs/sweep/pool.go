package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
	"go.yaml.in/yaml/v3"
)

const (
	poolName = "sim-pool"
	keyMode  = "mode"
	modePool = "pool"
	keyBatch = "batch.json"
	// poolPoll is how often the CLI looks for a batch's end: a check's
	// chunk of days takes seconds, so a longer wait would show.
	poolPoll = 250 * time.Millisecond
)

// A Pool is an Indexed Job of sim workers that lives for one command and
// runs batches of model runs as the command makes them: a sizing check
// or plan decides after each chunk of days what to simulate next, and one
// Job per chunk would spend a pod start on each. Not safe for concurrent
// use: one batch at a time.
type Pool struct {
	c       Config
	version string
	created bool // the namespace, removed by Close
	gen     int
}

// batch is one round of work in the Job's input: each distinct scenario
// once (as YAML), and the jobs, which worker i runs when index ≡ i.
type batch struct {
	Gen       int       `json:"gen"`
	Stop      bool      `json:"stop,omitempty"`
	Version   string    `json:"version,omitempty"`
	Scenarios []string  `json:"scenarios,omitempty"`
	Jobs      []poolJob `json:"jobs,omitempty"`
}

type poolJob struct {
	Scenario  int    `json:"s"`
	Seed      uint64 `json:"seed"`
	JudgeOnly bool   `json:"judgeOnly,omitempty"`
}

// StartPool creates the Pool's namespace (when missing) and Job; its
// workers then wait for batches. Close removes them.
func (c Config) StartPool(ctx context.Context, version string) (*Pool, error) {
	created, err := c.ensureNamespace(ctx)
	if err != nil {
		return nil, err
	}
	p := &Pool{c: c, version: version, created: created}
	idle, err := json.Marshal(batch{Version: version})
	if err != nil {
		return nil, err
	}
	if err := c.create(ctx, poolName, map[string]string{keyMode: modePool, keyBatch: string(idle)}); err != nil {
		return nil, errors.Join(err, p.Close(context.WithoutCancel(ctx)))
	}
	return p, nil
}

// RunJobs is sim.Options.RunJobs on the Pool: one batch, its runs in job
// order.
func (p *Pool) RunJobs(ctx context.Context, work []sim.Job) ([]*results.Run, error) {
	p.gen++
	b, err := encodeBatch(p.gen, work)
	if err != nil {
		return nil, err
	}
	b.Version = p.version
	if err := p.put(ctx, b); err != nil {
		return nil, err
	}
	if err := p.c.await(ctx, poolName, p.gen, poolPoll); err != nil {
		return nil, err
	}
	kind := batchKind(p.gen)
	runs, err := p.c.collect(ctx, poolName, kind, len(work))
	if err != nil {
		return nil, err
	}
	// A batch's runs are read once: the namespace keeps only the next.
	return runs, p.c.Client.CoreV1().ConfigMaps(p.c.Namespace).DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: jobs.Label + "=" + poolName + "," + jobs.KindLabel + "=" + kind})
}

// Close tells the workers to stop and removes the Job (and the namespace
// it created), whatever ctx's state.
func (p *Pool) Close(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	err := p.put(ctx, batch{Gen: p.gen + 1, Stop: true})
	err = errors.Join(err, jobs.Remove(ctx, p.c.Client, p.c.Namespace, poolName))
	if p.created {
		err = errors.Join(err, p.c.Client.CoreV1().Namespaces().Delete(ctx, p.c.Namespace, metav1.DeleteOptions{}))
	}
	return err
}

func (p *Pool) put(ctx context.Context, b batch) error {
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	input := map[string]string{keyMode: modePool, keyWorkers: strconv.Itoa(p.c.Workers), keyBatch: string(body)}
	return jobs.PutConfigMap(ctx, p.c.Client, p.c.Namespace, poolName, jobs.InputName(poolName), "input", input, nil)
}

// batchKind labels batch gen's runs.
func batchKind(gen int) string { return "batch" + strconv.Itoa(gen) }

// ErrNotPortable: a scenario that does not survive the trip to a worker
// (one with a trace file, whose points stay on this machine).
var ErrNotPortable = errors.New("scenario cannot be sent to cluster workers")

// encodeBatch writes each distinct scenario once; a job's scenario is
// its seed apart from the one before it in the common case (a trial's
// days), so equal scenarios are found by their hash with the seed zeroed.
func encodeBatch(gen int, work []sim.Job) (batch, error) {
	b := batch{Gen: gen, Jobs: make([]poolJob, len(work))}
	seen := map[string]int{}
	for i, j := range work {
		sc := *j.Scenario
		sc.Seed = 0
		h := sc.Hash()
		k, ok := seen[h]
		if !ok {
			doc, err := portable(&sc)
			if err != nil {
				return batch{}, err
			}
			k = len(b.Scenarios)
			seen[h] = k
			b.Scenarios = append(b.Scenarios, doc)
		}
		b.Jobs[i] = poolJob{Scenario: k, Seed: j.Scenario.Seed, JudgeOnly: j.JudgeOnly}
	}
	return b, nil
}

// portable is sc as YAML that parses back to sc (its hash says so).
func portable(sc *scenarios.Scenario) (string, error) {
	doc, err := yaml.Marshal(sc)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNotPortable, err)
	}
	back, err := scenarios.Parse(doc, ".")
	if err != nil {
		return "", fmt.Errorf("%w: %s does not read back: %w", ErrNotPortable, sc.Name, err)
	}
	if back.Hash() != sc.Hash() {
		return "", fmt.Errorf("%w: %s does not read back as itself (a trace file's points are not sent)", ErrNotPortable, sc.Name)
	}
	return string(doc), nil
}
