package sim

import (
	"cmp"
	"math"
	"slices"

	"github.com/fleetbench/fleetbench/scenarios"
)

// Karpenter's disruption controller (sigs.k8s.io/karpenter v1.14,
// pkg/controllers/disruption) consolidates empty nodes in passes, not each
// the moment its consolidateAfter ends: a pass that finds nothing to do
// comes pollPeriod later; one that finds empty nodes takes at most the
// NodePool's disruption budget of them, waits validationDelay, keeps those
// still empty and within the budget, deletes them and passes again at
// once. Nodes being deleted still count against the budget in that pass,
// so a pass that used the whole budget is followed by one a poll period
// later. After a burst, the default budget (10% of the pool) makes a
// cliff of empty nodes go a few every 25 s. Both are wall-clock constants.
const (
	disruptionPoll     = 10.0 // s, pollingPeriod
	disruptionValidate = 15.0 // s, commandValidationDelay
)

// disruption is the controller's state in the model.
type disruption struct {
	budget scenarios.IntOrPercent
	// poll and validate are in scenario seconds: the constants × the
	// model's wall scale (a real run at speedup s sees them s times longer).
	poll, validate float64
	queued         bool    // a pass is in the event queue
	validating     []int32 // the nodes a pass picked, until their validation
	// terminating is the nodes the last validation deleted: still in the
	// NodePool, and using its budget, for the pass that follows at once.
	terminating int
	// candidates are Ready nodes empty for consolidateAfter (Karpenter's
	// Consolidatable condition); node.candPos is the position here.
	candidates []int32
}

func (d *disruption) init(sc *scenarios.Scenario, wallScale float64) {
	d.budget = sc.Nodes.ConsolidationBudget
	d.poll, d.validate = disruptionPoll*wallScale, disruptionValidate*wallScale
}

// idleCheck makes a node that stayed empty for scaleDownAfter a candidate
// and wakes the controller.
func (np *nodePool) idleCheck(m *model, id int32, gen uint32) {
	nd := &np.nodes[id]
	if nd.gen != gen || nd.state != nodeReady || nd.pods > 0 || nd.candPos >= 0 {
		return
	}
	d := &np.disruption
	nd.candPos = int32(len(d.candidates))
	d.candidates = append(d.candidates, id)
	if !d.queued && d.validating == nil {
		// The controller's next pass on its fixed period, whose phase is
		// Karpenter's start: the model puts it half a period off the
		// scenario's start (the mean lateness of an event aligned with it,
		// such as the initial nodes' consolidateAfter ending).
		np.queuePass(m, (math.Ceil(m.now/d.poll-0.5)+0.5)*d.poll)
	}
}

// uncandidate drops a node from the candidates (a pod bound, or it went).
func (np *nodePool) uncandidate(id int32) {
	nd := &np.nodes[id]
	if nd.candPos < 0 {
		return
	}
	c := np.disruption.candidates
	last := c[len(c)-1]
	c[nd.candPos] = last
	np.nodes[last].candPos = nd.candPos
	np.disruption.candidates = c[:len(c)-1]
	nd.candPos = -1
}

func (np *nodePool) queuePass(m *model, at float64) {
	np.disruption.queued = true
	m.q.push(at, evDisruptionPass, 0, 0)
}

// allowedDisruptions is the budget left: Karpenter counts the NodePool's
// initialized nodes, those above the static minimum here (the local
// cluster's minimum nodes are not Karpenter's), rounding a percentage up.
func (np *nodePool) allowedDisruptions() int {
	t := np.disruption.terminating
	return min(np.disruption.budget.Of(np.ready+t-np.min, true)-t, np.count-np.min)
}

// disruptionPass picks the longest-empty candidates the budget allows
// and validates them after the delay; a pass with none to pick, or none
// allowed, comes again after the poll period.
func (np *nodePool) disruptionPass(m *model) {
	d := &np.disruption
	d.queued = false
	if len(d.candidates) == 0 || d.budget.Value == 0 {
		return // asleep until a node becomes a candidate; 0 never disrupts
	}
	n := min(len(d.candidates), np.allowedDisruptions())
	d.terminating = 0 // gone by any later pass
	if n <= 0 {
		np.queuePass(m, m.now+d.poll)
		return
	}
	slices.SortFunc(d.candidates, func(a, b int32) int {
		return cmp.Or(cmp.Compare(np.nodes[a].emptySince, np.nodes[b].emptySince), cmp.Compare(a, b))
	})
	for i, id := range d.candidates {
		np.nodes[id].candPos = int32(i)
	}
	d.validating = slices.Clone(d.candidates[:n])
	m.q.push(m.now+d.validate, evDisruptionValidate, 0, 0)
}

// disruptionValidate deletes the picked nodes that are still empty
// candidates, within the budget as it stands now, then passes again: at once after a
// deletion, after the poll period when validation dropped them all.
func (np *nodePool) disruptionValidate(m *model) {
	d := &np.disruption
	picked := d.validating
	d.validating = nil
	allowed, removed := np.allowedDisruptions(), 0
	for _, id := range picked {
		if np.nodes[id].candPos < 0 || removed == allowed {
			continue
		}
		np.removeNode(m, id)
		removed++
	}
	if removed > 0 {
		d.terminating = removed
		np.queuePass(m, m.now)
	} else {
		np.queuePass(m, m.now+d.poll)
	}
}
