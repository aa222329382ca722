package loadgen

import (
	"cmp"
	"context"
	"fmt"
	"math"
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
	clock  clock
	step   time.Duration // of scenario time
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
	scaleUps     []*results.ScaleUp
	added        int64 // autoscaled nodes created while watching
	removed      int64 // room nodes deleted while watching
}

type roomPod struct {
	state     policy.OpsState
	ready     bool
	pending   bool
	node      string
	scheduled time.Time
	running   bool
}

type nodeState struct {
	created, ready time.Time
	trigger        time.Time // the pending room it was added for (zero: static)
	up             *results.ScaleUp
}

func newObserver(c clock, step time.Duration) *observer {
	o := &observer{clock: c, last: c.start, step: step, pods: map[string]*roomPod{}, nodes: map[string]*nodeState{},
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
	t := time.NewTicker(o.clock.wall(o.step))
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
	n := o.nodes[r.node]
	if !r.running && p.Status.Phase == corev1.PodRunning {
		r.running = true
		if n != nil && n.up != nil && n.up.PodRunning == 0 {
			n.up.PodRunning = o.span(n.trigger, now)
		}
	}
	wasReady := r.ready
	r.ready = clusters.PodReady(p)
	if r.ready && !wasReady {
		o.hists[results.PodStartup].Record(o.clock.secs(now.Sub(r.scheduled)))
		if n != nil && n.up != nil && n.up.RoomReady == 0 {
			up := n.up
			up.RoomReady = o.span(n.trigger, now)
			o.hists[results.AutoscaleLag].Record(up.RoomReady)
			o.events = append(o.events, results.Event{At: o.clock.stamp(now), Kind: "scaleUp",
				Detail: fmt.Sprintf("node %s: pending→created %.1fs, →Ready %.1fs, →pod Running %.1fs, →room Ready %.1fs",
					r.node, up.Created, up.Ready, up.PodRunning, up.RoomReady)})
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
			st.up = &results.ScaleUp{Node: n.Name, At: o.clock.stamp(now), Created: o.span(st.trigger, now)}
			o.scaleUps = append(o.scaleUps, st.up)
			o.added++
		}
		o.nodes[n.Name] = st
	}
	if st.ready.IsZero() && clusters.ReadyNodes([]corev1.Node{*n}) == 1 {
		st.ready = now
		if st.up != nil {
			o.hists[results.NodeBoot].Record(o.clock.secs(now.Sub(st.created)))
			st.up.Ready = o.span(st.trigger, now)
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
	dt := o.clock.secs(now.Sub(o.last))
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
	i := int(o.clock.at(now) / o.step.Seconds())
	for name, v := range map[string]float64{results.SeriesReadyBuffer: ready, results.SeriesAllocated: allocated,
		results.SeriesStarting: starting, results.SeriesPendingPods: pending, results.SeriesNodes: float64(len(o.nodes))} {
		s := o.series[name]
		for len(s) <= i {
			s = append(s, v)
		}
		o.series[name] = s
	}
}

// span is a stage of a scale-up in scenario seconds (µs resolution).
func (o *observer) span(from, to time.Time) float64 {
	return math.Round(o.clock.secs(to.Sub(from))*1e6) / 1e6
}

// nodes is the number of room nodes now (for the live status).
func (o *observer) roomNodes() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.nodes)
}

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
	for _, up := range o.scaleUps {
		run.ScaleUps = append(run.ScaleUps, *up)
	}
	run.Cost = o.cost
	run.Counters[results.NodesAdded], run.Counters[results.NodesRemoved] = o.added, o.removed
	run.Cost.Money = o.cost.NodeSeconds / 3600 * hourlyCost
	run.Summarize()
}
