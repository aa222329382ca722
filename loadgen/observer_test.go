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

// TestStagesInOrder: the real-run tests' check of a scale-up's stages.
func TestStagesInOrder(t *testing.T) {
	for _, c := range []struct {
		up   results.ScaleUp
		want bool
	}{
		{results.ScaleUp{Created: 1, Ready: 2, PodRunning: 3, RoomReady: 4}, true},
		{results.ScaleUp{Created: 1, Ready: 2}, true}, // cut off by the run's end
		{results.ScaleUp{Created: 1, PodRunning: 3}, false},
		{results.ScaleUp{Created: 1, Ready: 3, PodRunning: 2, RoomReady: 4}, false},
		{results.ScaleUp{Ready: 2}, false},
	} {
		if got := stagesInOrder(c.up); got != c.want {
			t.Errorf("stagesInOrder(%+v) = %v, want %v", c.up, got, c.want)
		}
	}
}
