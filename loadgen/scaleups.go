package loadgen

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/results"
)

// nodeState is a room node as the observer saw it.
type nodeState struct {
	name  string
	claim string // the NodeClaim it realizes (autoscaled nodes)
	// started is when its machine started, where the provider says
	// (kind's node containers); created is its registration.
	started, created, ready time.Time
	podRunning, roomReady   time.Time // its first room's
	// boundPending is the earliest Unschedulable time of the rooms that
	// were pending before it was created and were placed on it.
	boundPending time.Time
}

// event records Karpenter's nominations: "Pod should schedule on:
// nodeclaim/NAME[, node/NAME]" on a room pending for a node to be made,
// and nodes that never joined.
func (o *observer) event(e *corev1.Event) {
	if e.Reason == clusters.NodeJoinFailedReason {
		o.joinFailed(e)
		return
	}
	if e.Reason != "Nominated" || e.InvolvedObject.Kind != "Pod" {
		return
	}
	claim := nominatedClaim(e.Message)
	if claim == "" {
		return
	}
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	// A room counts for the claim it was first nominated to. Karpenter
	// nominates a room still pending again, to whichever claim it fits
	// now, when the scheduler put a newer room on the node made for it
	// (the scheduler's queue is not first come, first served); that
	// later claim was made for another room, and is timed from it.
	if pod := e.InvolvedObject.Name; o.nominatedTo[pod] == "" {
		o.nominatedTo[pod] = claim
	}
	if _, seen := o.nominatedAt[claim]; !seen {
		o.nominatedAt[claim] = now
		if o.watching {
			o.launched[claim] = true
		}
	}
}

// nodesAdded counts the nodes the autoscaler launched in the run, as the
// model does: the claims nominated to while watching and the autoscaled
// nodes that registered (a node made for no pending room is nominated
// nothing). On kind a node joins tens of seconds after its claim, so
// counting registered nodes alone would miss those the run's end cut off.
func (o *observer) nodesAdded() int64 {
	claims := maps.Clone(o.launched)
	for _, st := range o.autoscaled {
		claims[cmp.Or(st.claim, "node/"+st.name)] = true
	}
	return int64(len(claims))
}

// joinFailed keeps a node's failure to join for the run's timeline, once
// (an Event is seen again when it is updated); one listed when the watch
// started belongs to an earlier run.
func (o *observer) joinFailed(e *corev1.Event) {
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.watching || slices.ContainsFunc(o.failedNodes, func(f results.Event) bool { return f.Detail == e.Message }) {
		return
	}
	o.failedNodes = append(o.failedNodes, results.Event{At: o.clock.stamp(now), Kind: "nodeJoinFailed", Detail: e.Message})
}

// nominatedClaim is the NodeClaim a Nominated event names, if any.
func nominatedClaim(msg string) string {
	_, rest, ok := strings.Cut(msg, "nodeclaim/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, ",")
	return strings.TrimSpace(name)
}

func (o *observer) node(old, n *corev1.Node) {
	now := o.now()
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
		st = &nodeState{name: n.Name, created: now}
		if _, autoscaled := n.Labels["karpenter.sh/nodepool"]; autoscaled && o.watching {
			// Karpenter's kwok provider names the node's host after its
			// NodeClaim; kind's node registers with its claim's label.
			st.claim = n.Labels[corev1.LabelHostname]
			o.autoscaled = append(o.autoscaled, st)
		}
		o.nodes[n.Name] = st
	}
	if claim := n.Labels[clusters.NodeClaimLabel]; claim != "" {
		st.claim = claim
	}
	if at, err := time.Parse(time.RFC3339Nano, n.Annotations[clusters.MachineStartedAnnotation]); err == nil {
		st.started = at
	}
	if st.ready.IsZero() && clusters.NodeReady(n) {
		st.ready = now
	}
}

// span is a stage of a scale-up in scenario seconds (µs resolution); a
// stage seen before its trigger (clocks a little apart) counts as 0.
func (o *observer) span(from, to time.Time) float64 {
	return math.Max(0, math.Round(o.clock.secs(to.Sub(from))*1e6)/1e6)
}

// scaleUp times an autoscaled node from its own trigger: the earliest
// Unschedulable time of the rooms first nominated to its NodeClaim, else of the
// rooms that were pending before it was created and were placed on it. A
// node with neither was not added for rooms, and is left out.
func (o *observer) scaleUp(st *nodeState) (results.ScaleUp, bool) {
	var trigger time.Time
	for pod, claim := range o.nominatedTo {
		if at, ok := o.unschedulable[pod]; ok && claim == st.claim && (trigger.IsZero() || at.Before(trigger)) {
			trigger = at
		}
	}
	if trigger.IsZero() {
		trigger = st.boundPending
	}
	if trigger.IsZero() {
		return results.ScaleUp{}, false
	}
	up := results.ScaleUp{Node: st.name, At: o.clock.stamp(st.created).String(), Created: o.span(trigger, st.created)}
	// Karpenter nominates before it launches, but publishes the Nominated
	// Event asynchronously: where the Node is made at launch (kwok), the
	// Event can reach its watch a few milliseconds after the Node does.
	nominated := o.nominatedAt[st.claim]
	if !nominated.IsZero() && nominated.After(st.created) {
		nominated = st.created
	}
	for _, stage := range []struct {
		at  time.Time
		out *float64
	}{{nominated, &up.Nominated}, {st.started, &up.Started}, {st.ready, &up.Ready},
		{st.podRunning, &up.PodRunning}, {st.roomReady, &up.RoomReady}} {
		if !stage.at.IsZero() {
			*stage.out = o.span(trigger, stage.at)
		}
	}
	return up, true
}

// fillScaleUps adds each autoscaled node's boot, stages and lag to run.
func (o *observer) fillScaleUps(run *results.Run) {
	run.Events = append(run.Events, o.failedNodes...)
	for _, st := range o.autoscaled {
		if !st.ready.IsZero() {
			o.hists[results.NodeBoot].Record(o.clock.secs(st.ready.Sub(st.created)))
		}
		up, ok := o.scaleUp(st)
		if !ok {
			continue
		}
		run.ScaleUps = append(run.ScaleUps, up)
		if up.RoomReady > 0 {
			o.hists[results.AutoscaleLag].Record(up.RoomReady)
			run.Events = append(run.Events, results.Event{At: o.clock.stamp(st.roomReady), Kind: "scaleUp",
				Detail: fmt.Sprintf("node %s: pending→nominated %.1fs, →machine started %.1fs, →registered %.1fs, →Ready %.1fs, →pod Running %.1fs, →room Ready %.1fs",
					up.Node, up.Nominated, up.Started, up.Created, up.Ready, up.PodRunning, up.RoomReady)})
		}
	}
}
