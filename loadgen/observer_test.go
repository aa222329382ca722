package loadgen

import (
	"fmt"
	"math"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/results"
)

// scaleUpWorld feeds an observer the watch events of the known-answer
// scale-up: a room every 20 s finds no node and Karpenter adds one for
// it (batch 1 s, provision 5 s, boot 30 s), its pod starts 10 s after it
// is placed and is Ready 1 s later. Each node's lag is 46 s, whichever
// earlier rooms are still pending when it is created.
type scaleUpWorld struct {
	o   *observer
	now time.Time
}

func newScaleUpWorld(t *testing.T) *scaleUpWorld {
	start := time.Unix(1000, 0)
	w := &scaleUpWorld{now: start}
	w.o = newObserver(newClock(start, 1), 10*time.Second)
	w.o.now = func() time.Time { return w.now }
	w.o.watching = true
	return w
}

func (w *scaleUpWorld) at(sec float64) {
	w.now = time.Unix(1000, 0).Add(time.Duration(sec * float64(time.Second)))
}

func room(name, node string, phase corev1.PodPhase, ready bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "roomserver"}},
		Spec: corev1.PodSpec{NodeName: node}, Status: corev1.PodStatus{Phase: phase}}
	if node == "" {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable}}
	}
	if ready {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue})
	}
	return p
}

func roomNode(name, claim string, ready bool) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
		clusters.PoolLabel: clusters.PoolRooms, "karpenter.sh/nodepool": "rooms", corev1.LabelHostname: claim}}}
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status}}
	return n
}

func TestObserverTimesEachNodeFromItsOwnRooms(t *testing.T) {
	for _, nominations := range []bool{true, false} {
		t.Run(fmt.Sprintf("nominations=%v", nominations), func(t *testing.T) {
			w := newScaleUpWorld(t)
			o := w.o
			// Three rooms, 20 s apart; each node takes 5+30 s after a 1 s
			// batch, so every node is created while earlier rooms wait.
			type step struct {
				at float64
				do func()
			}
			var steps []step
			for i := range 3 {
				t0 := float64(20 * i)
				pod, claim, node := fmt.Sprintf("room-%d", i), fmt.Sprintf("rooms-%d", i), fmt.Sprintf("kwok-rooms-%d-x", i)
				steps = append(steps,
					step{t0, func() { o.pod(nil, room(pod, "", corev1.PodPending, false)) }},
					step{t0 + 1, func() {
						if nominations {
							o.event(&corev1.Event{Reason: "Nominated", InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod},
								Message: "Pod should schedule on: nodeclaim/" + claim})
						}
					}},
					step{t0 + 6, func() { o.node(nil, roomNode(node, claim, false)) }},
					step{t0 + 36, func() { o.node(nil, roomNode(node, claim, true)) }},
					step{t0 + 36, func() { o.pod(nil, room(pod, node, corev1.PodPending, false)) }},
					step{t0 + 46, func() { o.pod(nil, room(pod, node, corev1.PodRunning, false)) }},
					step{t0 + 46, func() { o.pod(nil, room(pod, node, corev1.PodRunning, true)) }},
				)
			}
			// Play the steps in time order (stable: same-time steps keep their order).
			for done := 0; done < len(steps); {
				next := -1
				for i, s := range steps {
					if s.do != nil && (next < 0 || s.at < steps[next].at) {
						next = i
					}
				}
				w.at(steps[next].at)
				steps[next].do()
				steps[next].do = nil
				done++
			}
			run := &results.Run{Histograms: map[string]*results.Histogram{}, Counters: map[string]int64{}, Series: results.Series{Values: map[string][]float64{}}}
			o.fill(run, 0)
			if len(run.ScaleUps) != 3 {
				t.Fatalf("scale-ups = %+v, want 3", run.ScaleUps)
			}
			for _, up := range run.ScaleUps {
				if up.Created != 6 || up.Ready != 36 || up.PodRunning != 46 || up.RoomReady != 46 {
					t.Errorf("%s: created %g, Ready %g, pod Running %g, room Ready %g; want 6, 36, 46, 46 from its own room", up.Node, up.Created, up.Ready, up.PodRunning, up.RoomReady)
				}
			}
			if lag := run.Metrics[results.AutoscaleLag]; lag.Count != 3 || math.Abs(lag.Min-46) > 0.05 || math.Abs(lag.Max-46) > 0.05 {
				t.Errorf("autoscale_lag = %+v, want 3 nodes of 46 s", lag)
			}
			if run.Counters[results.NodesAdded] != 3 {
				t.Errorf("nodes_added = %d, want 3", run.Counters[results.NodesAdded])
			}
		})
	}
}

func TestNominatedClaim(t *testing.T) {
	for msg, want := range map[string]string{
		"Pod should schedule on: nodeclaim/rooms-abc":                  "rooms-abc",
		"Pod should schedule on: nodeclaim/rooms-abc, node/kwok-rooms": "rooms-abc",
		"Pod should schedule on: node/kwok-rooms":                      "",
	} {
		if got := nominatedClaim(msg); got != want {
			t.Errorf("nominatedClaim(%q) = %q, want %q", msg, got, want)
		}
	}
}

// TestObserverTimesANodeFromTheRoomItWasLaunchedFor: as on kind, the
// scheduler puts the newer room on the first node, and Karpenter
// nominates the older one, still pending, again to the second node's
// claim; each node is timed from the room it was launched for, so both
// lags are 46 s (from the older room, the second node's would be 66 s).
func TestObserverTimesANodeFromTheRoomItWasLaunchedFor(t *testing.T) {
	w := newScaleUpWorld(t)
	o := w.o
	nominate := func(pod, claim string) {
		o.event(&corev1.Event{Reason: "Nominated", InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod},
			Message: "Pod should schedule on: nodeclaim/" + claim})
	}
	for _, s := range []struct {
		at float64
		do func()
	}{
		{0, func() { o.pod(nil, room("room-old", "", corev1.PodPending, false)) }},
		{1, func() { nominate("room-old", "rooms-a") }},
		{6, func() { o.node(nil, roomNode("node-a", "rooms-a", false)) }},
		{20, func() { o.pod(nil, room("room-new", "", corev1.PodPending, false)) }},
		{21, func() { nominate("room-old", "rooms-a"); nominate("room-new", "rooms-b") }},
		{26, func() { o.node(nil, roomNode("node-b", "rooms-b", false)) }},
		{36, func() {
			o.node(nil, roomNode("node-a", "rooms-a", true))
			o.pod(nil, room("room-new", "node-a", corev1.PodPending, false))
		}},
		{37, func() { nominate("room-old", "rooms-b") }},
		{46, func() { o.pod(nil, room("room-new", "node-a", corev1.PodRunning, true)) }},
		{56, func() {
			o.node(nil, roomNode("node-b", "rooms-b", true))
			o.pod(nil, room("room-old", "node-b", corev1.PodPending, false))
		}},
		{66, func() { o.pod(nil, room("room-old", "node-b", corev1.PodRunning, true)) }},
	} {
		w.at(s.at)
		s.do()
	}
	run := &results.Run{Histograms: map[string]*results.Histogram{}, Counters: map[string]int64{}, Series: results.Series{Values: map[string][]float64{}}}
	o.fill(run, 0)
	if len(run.ScaleUps) != 2 {
		t.Fatalf("scale-ups = %+v, want 2", run.ScaleUps)
	}
	for _, up := range run.ScaleUps {
		if up.Created != 6 || up.Ready != 36 || up.RoomReady != 46 {
			t.Errorf("%s: created %g, Ready %g, room Ready %g; want 6, 36, 46 from the room it was launched for", up.Node, up.Created, up.Ready, up.RoomReady)
		}
	}
}

// TestObserverCountsOnlyNodesAddedWhileWatching: the initial nodes (made
// before the run, listed when the watch starts) are not scale-ups.
func TestObserverCountsOnlyNodesAddedWhileWatching(t *testing.T) {
	w := newScaleUpWorld(t)
	w.o.watching = false
	w.o.node(nil, roomNode("kwok-initial", "rooms-0", true))
	w.o.watching = true
	w.at(5)
	w.o.node(nil, roomNode("kwok-later", "rooms-1", false))
	run := &results.Run{Histograms: map[string]*results.Histogram{}, Counters: map[string]int64{}, Series: results.Series{Values: map[string][]float64{}}}
	w.o.fill(run, 0)
	if got := run.Counters[results.NodesAdded]; got != 1 {
		t.Errorf("nodes_added = %d, want 1 (the node listed at the start was there before)", got)
	}
}

// TestObserverCountsLaunchedNodesAsTheModelDoes: a node launched for a
// room counts when its claim is nominated to, as in the model, even if
// the run ends before it joins (kind's nodes join tens of seconds later);
// a kind node, named after its container, counts once with its claim.
func TestObserverCountsLaunchedNodesAsTheModelDoes(t *testing.T) {
	w := newScaleUpWorld(t)
	nominate := func(pod, claim string) {
		w.o.event(&corev1.Event{Reason: "Nominated", InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod},
			Message: "Pod should schedule on: nodeclaim/" + claim})
	}
	w.o.watching = false
	nominate("room-old", "rooms-old") // an earlier run's, listed at the start
	w.o.watching = true
	w.at(1)
	nominate("room-0", "rooms-a")
	nominate("room-1", "rooms-b")
	nominate("room-2", "rooms-b")
	w.at(20)
	n := roomNode("fb-rooms-a", "fb-rooms-a", false)
	n.Labels[clusters.NodeClaimLabel] = "rooms-a"
	w.o.node(nil, n)
	run := &results.Run{Histograms: map[string]*results.Histogram{}, Counters: map[string]int64{}, Series: results.Series{Values: map[string][]float64{}}}
	w.o.fill(run, 0)
	if got := run.Counters[results.NodesAdded]; got != 2 {
		t.Errorf("nodes_added = %d, want 2 (rooms-a joined, rooms-b launched)", got)
	}
}

// TestObserverTimesKindNodesByTheirAnnotations: a kind node is named
// after its container, not its NodeClaim; the node command annotates the
// claim and the container's start after the node registered.
func TestObserverTimesKindNodesByTheirAnnotations(t *testing.T) {
	w := newScaleUpWorld(t)
	o := w.o
	o.pod(nil, room("room-0", "", corev1.PodPending, false))
	w.at(1)
	o.event(&corev1.Event{Reason: "Nominated", InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "room-0"},
		Message: "Pod should schedule on: nodeclaim/rooms-abc"})
	w.at(12)
	n := roomNode("fleetbench-rooms-abc", "fleetbench-rooms-abc", false)
	n.Labels[clusters.NodeClaimLabel] = "rooms-abc"
	o.node(nil, n)
	w.at(13)
	n = n.DeepCopy()
	n.Annotations = map[string]string{clusters.MachineStartedAnnotation: time.Unix(1006, 500_000_000).UTC().Format(time.RFC3339Nano)}
	o.node(nil, n)
	w.at(14)
	o.node(nil, roomNode(n.Name, n.Name, true))
	w.at(20)
	o.pod(nil, room("room-0", n.Name, corev1.PodRunning, false))
	w.at(21)
	o.pod(nil, room("room-0", n.Name, corev1.PodRunning, true))
	run := &results.Run{Histograms: map[string]*results.Histogram{}, Counters: map[string]int64{}, Series: results.Series{Values: map[string][]float64{}}}
	o.fill(run, 0)
	want := results.ScaleUp{Node: n.Name, At: "12s", Nominated: 1, Started: 6.5, Created: 12, Ready: 14, PodRunning: 20, RoomReady: 21}
	if len(run.ScaleUps) != 1 || run.ScaleUps[0] != want {
		t.Errorf("scale-ups = %+v, want [%+v]", run.ScaleUps, want)
	}
}

// TestObserverReportsANodeThatNeverJoined once, by its Event's message,
// and not one an earlier run left.
func TestObserverReportsANodeThatNeverJoined(t *testing.T) {
	w := newScaleUpWorld(t)
	failed := func(msg string) *corev1.Event {
		return &corev1.Event{Reason: clusters.NodeJoinFailedReason, Message: msg,
			InvolvedObject: corev1.ObjectReference{Kind: "NodeClaim", Name: "rooms-x"}}
	}
	w.o.watching = false
	w.o.event(failed("node fleetbench-rooms-old never joined and was removed: earlier run"))
	w.o.watching = true
	w.at(30)
	msg := "node fleetbench-rooms-x never joined and was removed: kubelet: maxPods must not be negative"
	w.o.event(failed(msg))
	w.o.event(failed(msg))
	run := &results.Run{Histograms: map[string]*results.Histogram{}, Counters: map[string]int64{}, Series: results.Series{Values: map[string][]float64{}}}
	w.o.fill(run, 0)
	if len(run.Events) != 1 || run.Events[0].Kind != "nodeJoinFailed" || run.Events[0].Detail != msg || run.Events[0].At.String() != "30s" {
		t.Errorf("events %+v, want the one failure at 30s", run.Events)
	}
}

// TestObserverNominationNeverFollowsItsNode: Karpenter's Nominated Event
// may reach the watch after the Node its launch made (kwok: at once);
// the nomination preceded the launch, so the stage is the node's
// creation at the latest, and the scale-up stays in order.
func TestObserverNominationNeverFollowsItsNode(t *testing.T) {
	w := newScaleUpWorld(t)
	o := w.o
	w.at(0)
	o.pod(nil, room("room-a", "", corev1.PodPending, false))
	w.at(2)
	o.node(nil, roomNode("node-a", "rooms-a", false))
	w.at(2.001)
	o.event(&corev1.Event{Reason: "Nominated", InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "room-a"},
		Message: "Pod should schedule on: nodeclaim/rooms-a"})
	w.at(9)
	o.node(nil, roomNode("node-a", "rooms-a", true))
	o.pod(nil, room("room-a", "node-a", corev1.PodRunning, true))
	run := &results.Run{Histograms: map[string]*results.Histogram{}, Counters: map[string]int64{}, Series: results.Series{Values: map[string][]float64{}}}
	o.fill(run, 0)
	if len(run.ScaleUps) != 1 {
		t.Fatalf("scale-ups = %+v, want 1", run.ScaleUps)
	}
	if up := run.ScaleUps[0]; up.Nominated != up.Created || !up.InOrder() {
		t.Errorf("%+v: want the nomination at the node's creation (%g), in order", up, up.Created)
	}
}
