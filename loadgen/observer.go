package loadgen

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// observer watches the room pods and the nodes: it times each node
// scale-up (the first Unschedulable room → node created → node Ready →
// a room Ready on it), samples the fleet's series, and integrates cost,
// with the model's definitions.
type observer struct {
	mu     sync.Mutex
	start  time.Time
	step   time.Duration
	pods   map[string]*roomPod
	nodes  map[string]*nodeState
	hists  map[string]*results.Histogram
	series map[string][]float64
	events []results.Event
	// pendingSince is the oldest Unschedulable room not yet placed: what
	// a new node was added for.
	pendingSince time.Time
	cost         results.Cost
	last         time.Time // cost integrated up to here
	added        int64     // autoscaled nodes created while watching
	removed      int64     // room nodes deleted while watching
}

type roomPod struct {
	state     policy.OpsState
	ready     bool
	pending   bool
	node      string
	scheduled time.Time
}

type nodeState struct {
	created, ready time.Time
	trigger        time.Time // the pending room it was added for (zero: static)
	lagDone        bool
}

func newObserver(start time.Time, step time.Duration) *observer {
	o := &observer{start: start, last: start, step: step, pods: map[string]*roomPod{}, nodes: map[string]*nodeState{},
		hists: map[string]*results.Histogram{}, series: map[string][]float64{}}
	for _, m := range []string{results.AutoscaleLag, results.NodeBoot, results.PodStartup} {
		o.hists[m] = results.NewHistogram()
	}
	return o
}

// run watches until ctx ends, sampling every step.
func (o *observer) run(ctx context.Context, c *clusters.Cluster) error {
	if err := c.Watch(ctx, clusters.Handlers{Pod: o.pod, Node: o.node}); err != nil {
		return err
	}
	t := time.NewTicker(o.step)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			o.sample(now)
		}
	}
}

func (o *observer) pod(_, p *corev1.Pod) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.integrate(now)
	if p == nil || p.Labels["app"] != "roomserver" {
		return
	}
	if p.DeletionTimestamp != nil {
		delete(o.pods, p.Name)
		return
	}
	r := o.pods[p.Name]
	if r == nil {
		// A room already Ready when first seen started before we looked:
		// its startup is unknown, not zero.
		r = &roomPod{ready: clusters.PodReady(p)}
		o.pods[p.Name] = r
	}
	r.state, _ = policy.ParseOpsState(p.Labels[wire.OpsStateLabel])
	r.pending = p.Spec.NodeName == ""
	if r.pending && o.pendingSince.IsZero() {
		o.pendingSince = now
	}
	if !r.pending && r.node == "" {
		r.node, r.scheduled = p.Spec.NodeName, now
	}
	wasReady := r.ready
	r.ready = clusters.PodReady(p)
	if r.ready && !wasReady {
		o.hists[results.PodStartup].Record(now.Sub(r.scheduled).Seconds())
		if n := o.nodes[r.node]; n != nil && !n.trigger.IsZero() && !n.lagDone {
			n.lagDone = true
			lag := now.Sub(n.trigger)
			o.hists[results.AutoscaleLag].Record(lag.Seconds())
			o.events = append(o.events, results.Event{At: o.at(now), Kind: "scaleUp",
				Detail: fmt.Sprintf("node %s: pending→created %s, →Ready %s, →room Ready %s", r.node,
					n.created.Sub(n.trigger).Round(time.Millisecond), n.ready.Sub(n.trigger).Round(time.Millisecond), lag.Round(time.Millisecond))})
		}
	}
	if !o.anyPending() {
		o.pendingSince = time.Time{}
	}
}

func (o *observer) node(old, n *corev1.Node) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.integrate(now)
	if n == nil {
		if old != nil {
			if _, ok := o.nodes[old.Name]; ok {
				o.removed++
			}
			delete(o.nodes, old.Name)
		}
		return
	}
	if n.Labels[clusters.PoolLabel] != clusters.PoolRooms {
		return
	}
	st := o.nodes[n.Name]
	if st == nil {
		st = &nodeState{created: now}
		if _, autoscaled := n.Labels["karpenter.sh/nodepool"]; autoscaled && !o.pendingSince.IsZero() {
			st.trigger = o.pendingSince
			o.added++
		}
		o.nodes[n.Name] = st
	}
	if st.ready.IsZero() && clusters.ReadyNodes([]corev1.Node{*n}) == 1 {
		st.ready = now
		if !st.trigger.IsZero() {
			o.hists[results.NodeBoot].Record(now.Sub(st.created).Seconds())
		}
	}
}

func (o *observer) anyPending() bool {
	for _, r := range o.pods {
		if r.pending {
			return true
		}
	}
	return false
}

// integrate adds node-seconds and (idle) server-seconds up to now.
func (o *observer) integrate(now time.Time) {
	dt := now.Sub(o.last).Seconds()
	o.last = now
	o.cost.NodeSeconds += dt * float64(len(o.nodes))
	for _, r := range o.pods {
		if r.pending {
			continue
		}
		o.cost.ServerSeconds += dt
		if r.ready && r.state == policy.None {
			o.cost.IdleServerSeconds += dt
		}
	}
}

// sample appends one point to each fleet series.
func (o *observer) sample(now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.integrate(now)
	var ready, allocated, starting, pending float64
	for _, r := range o.pods {
		switch {
		case r.pending:
			pending++
		case !r.ready:
			starting++
		case r.state == policy.Allocated:
			allocated++
		case r.state == policy.None:
			ready++
		}
	}
	i := int(now.Sub(o.start) / o.step)
	for name, v := range map[string]float64{results.SeriesReadyBuffer: ready, results.SeriesAllocated: allocated,
		results.SeriesStarting: starting, results.SeriesPendingPods: pending, results.SeriesNodes: float64(len(o.nodes))} {
		s := o.series[name]
		for len(s) <= i {
			s = append(s, v)
		}
		o.series[name] = s
	}
}

func (o *observer) at(t time.Time) string { return t.Sub(o.start).Round(time.Millisecond).String() }

// fill adds the observations to run.
func (o *observer) fill(run *results.Run, hourlyCost float64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.integrate(time.Now())
	for name, h := range o.hists {
		run.Histograms[name] = h
	}
	for name, v := range o.series {
		run.Series.Values[name] = v
	}
	run.Events = append(run.Events, o.events...)
	slices.SortStableFunc(run.Events, func(a, b results.Event) int {
		da, _ := time.ParseDuration(a.At)
		db, _ := time.ParseDuration(b.At)
		return cmp.Compare(da, db)
	})
	run.Cost = o.cost
	run.Counters[results.NodesAdded], run.Counters[results.NodesRemoved] = o.added, o.removed
	run.Cost.Money = o.cost.NodeSeconds / 3600 * hourlyCost
	run.Summarize()
}
