package loadgen

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// observer watches the room pods, the nodes and the autoscaler's
// nominations: it times each node scale-up (the Unschedulable rooms the
// autoscaler added that node for → node created → node Ready → a room
// Running, then Ready on it), samples the fleet's series, and integrates
// cost, with the model's definitions. Times are the watch's (the moment
// each change was seen), as clusterloader2 measures.
type observer struct {
	// alsoPod, when set before run, sees every pod update too (the
	// watchdog), on the observer's one watch.
	alsoPod func(old, p *corev1.Pod)
	// roomSettled, when set before run, is told with its address of each
	// room whose counts are final for now: its match over (its opsState
	// left Allocated: every player has left) or its pod deleted while it
	// still serves (it drains first). A room deleted with no players
	// exits within milliseconds, often before a read on its deletion.
	roomSettled func(name, address string)

	mu     sync.Mutex
	clock  clock
	now    func() time.Time
	step   time.Duration // of scenario time
	pods   map[string]*roomPod
	nodes  map[string]*nodeState
	hists  map[string]*results.Histogram
	series map[string][]float64
	// nominatedTo is the NodeClaim Karpenter first nominated each room
	// to: what that claim's node was added for; unschedulable is when each
	// room was first seen Unschedulable (both kept after the room is gone).
	nominatedTo   map[string]string
	unschedulable map[string]time.Time
	// nominatedAt is when each NodeClaim was first nominated to.
	nominatedAt map[string]time.Time
	// launched are the NodeClaims first nominated to while watching: the
	// nodes the autoscaler added, whether or not they joined in the run.
	launched map[string]bool
	// failedNodes are the nodes that never joined, as their Events said.
	failedNodes []results.Event
	// autoscaled are the nodes the autoscaler added, in creation order,
	// kept after they are removed; their stages are timed at the end.
	autoscaled []*nodeState
	cost       results.Cost
	last       time.Time // cost integrated up to here
	removed    int64     // room nodes deleted while watching
	// startups are the rooms' times from when each could first run to
	// Ready (scenario seconds): what the model's startup stands for.
	startups []float64
	// watching is set once the watch's initial listing is in: nodes seen
	// before it were there before the run (the initial nodes), not added.
	watching bool
}

type roomPod struct {
	state     policy.OpsState
	ready     bool
	pending   bool
	node      string
	seen      time.Time // first seen, not yet Ready: its creation, as the watch saw it
	scheduled time.Time
	running   bool
	address   string // where the room serves players and /metrics
}

func newObserver(c clock, step time.Duration) *observer {
	o := &observer{clock: c, now: time.Now, last: c.start, step: step, pods: map[string]*roomPod{}, nodes: map[string]*nodeState{},
		hists: map[string]*results.Histogram{}, series: map[string][]float64{},
		nominatedTo: map[string]string{}, unschedulable: map[string]time.Time{}, nominatedAt: map[string]time.Time{},
		launched: map[string]bool{}}
	for _, m := range []string{results.AutoscaleLag, results.NodeBoot, results.PodStartup} {
		o.hists[m] = results.NewHistogram()
	}
	return o
}

// run watches until ctx ends, sampling every step.
func (o *observer) run(ctx context.Context, c *clusters.Cluster) error {
	pod := o.pod
	if also := o.alsoPod; also != nil {
		pod = func(old, p *corev1.Pod) { o.pod(old, p); also(old, p) }
	}
	if err := c.Watch(ctx, clusters.Handlers{Pod: pod, Node: o.node, Event: o.event}); err != nil {
		return err
	}
	o.mu.Lock()
	o.watching = true
	o.mu.Unlock()
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
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.integrate(now)
	if p == nil || p.Labels["app"] != "roomserver" {
		return
	}
	if p.DeletionTimestamp != nil {
		if r := o.pods[p.Name]; r != nil && r.address != "" && o.roomSettled != nil {
			go o.roomSettled(p.Name, r.address) // not under o.mu: it reads the room over HTTP
		}
		delete(o.pods, p.Name)
		return
	}
	r := o.pods[p.Name]
	if r == nil {
		// A room already Ready when first seen started before we looked:
		// its startup is unknown, not zero.
		r = &roomPod{ready: clusters.PodReady(p)}
		if !r.ready {
			r.seen = now
		}
		o.pods[p.Name] = r
	}
	was := r.state
	r.state, _ = policy.ParseOpsState(wire.PodOpsState(p))
	r.address = p.Annotations[wire.AddressAnnotation]
	if was == policy.Allocated && r.state != policy.Allocated && r.address != "" && o.roomSettled != nil {
		go o.roomSettled(p.Name, r.address)
	}
	r.pending = p.Spec.NodeName == ""
	if _, seen := o.unschedulable[p.Name]; r.pending && !seen && unschedulable(p) {
		o.unschedulable[p.Name] = now
	}
	if !r.pending && r.node == "" {
		r.node, r.scheduled = p.Spec.NodeName, now
		at, was := o.unschedulable[p.Name]
		if n := o.nodes[r.node]; n != nil && was && at.Before(n.created) && (n.boundPending.IsZero() || at.Before(n.boundPending)) {
			n.boundPending = at
		}
	}
	n := o.nodes[r.node]
	if !r.running && p.Status.Phase == corev1.PodRunning {
		r.running = true
		if n != nil && n.podRunning.IsZero() {
			n.podRunning = now
		}
	}
	wasReady := r.ready
	r.ready = clusters.PodReady(p)
	if r.ready && !wasReady {
		o.hists[results.PodStartup].Record(o.clock.secs(now.Sub(r.scheduled)))
		if n != nil && n.roomReady.IsZero() {
			n.roomReady = now
		}
		if !r.seen.IsZero() {
			o.startups = append(o.startups, o.clock.secs(now.Sub(runnable(r, n))))
		}
	}
}

// roomStartups returns a copy of the rooms' startups.
func (o *observer) roomStartups() []float64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.startups)
}

// runnable is when a room could first run: its creation, or its node's
// Ready when it waited for a node. The model starts a room's startup
// there (it binds at once), so the scheduler's latency and the readiness
// probe's period, which pod_startup (bound → Ready) leaves out, are part
// of the overhead the model of the run adds.
func runnable(r *roomPod, n *nodeState) time.Time {
	if n != nil && n.ready.After(r.seen) {
		return n.ready
	}
	return r.seen
}

// unschedulable reports the scheduler's verdict that no node fits the pod
// (a pod not yet looked at is pending but not Unschedulable).
func unschedulable(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
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

// nodes is the number of room nodes now (for the live status).
// roomAddresses are the live rooms' addresses, by pod name.
func (o *observer) roomAddresses() map[string]string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]string{}
	for name, r := range o.pods {
		if r.address != "" {
			out[name] = r.address
		}
	}
	return out
}

func (o *observer) roomNodes() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.nodes)
}

// fill adds the observations to run.
func (o *observer) fill(run *results.Run, hourlyCost float64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.integrate(o.now())
	o.fillScaleUps(run)
	for name, h := range o.hists {
		run.Histograms[name] = h
	}
	for name, v := range o.series {
		run.Series.Values[name] = v
	}
	slices.SortStableFunc(run.Events, func(a, b results.Event) int { return cmp.Compare(a.At, b.At) })
	run.Cost = o.cost
	run.Counters[results.NodesAdded], run.Counters[results.NodesRemoved] = o.nodesAdded(), o.removed
	run.Cost.Money = o.cost.NodeSeconds / 3600 * hourlyCost
	run.Summarize()
}
