package sim

import (
	"fmt"
	"math"

	"github.com/fleetbench/fleetbench/scenarios"
)

// bytesPerServer is what a run holds per game server or node, measured
// as the peak RSS of `sim run` on cmd/sim/testdata/small.yaml with
// fleet.policy.buffer.size 10⁵ and 10⁶ (104 and 271 MB, ≈185 B a
// server past the first 10⁵) and with nodes.podsPerNode 1 (567 MB at
// 10⁶: a node and its server ≈500 B), or nodes.initial 10⁶ alone
// (436 MB: ≈370 B a node). The budget counts servers and nodes alike.
const bytesPerServer = 370

// held is an estimate of the game servers and nodes one run holds at
// once, the field that sets it and how it was reckoned.
type held struct {
	servers, nodes float64
	field, why     string
}

// heldAtOnce estimates the servers the fleet policy keeps at the peak,
// when players (the most in the game at once) fill rooms of
// players.perMatch: the rooms in play plus the policy's buffer, within
// its max; and the nodes they sit on. Servers a node model has no room
// for are held too (Pending), so nodes.max does not cap them. A
// rollout's surge is left out (at most maxSurge more for a while).
func heldAtOnce(sc *scenarios.Scenario, players float64) held {
	rooms := players / float64(max(sc.Players.PerMatch, 1))
	h := held{servers: rooms}
	p := sc.Fleet.Policy
	scheduled := 0
	for _, st := range p.Schedule {
		scheduled = max(scheduled, st.Count)
	}
	var limit int
	var limitField string
	switch {
	case p.Buffer != nil && p.Buffer.Percent != nil:
		// Agones keeps Percent of the fleet idle: rooms / (1 − Percent).
		h.servers, h.field = rooms*100/(100-*p.Buffer.Percent), "fleet.policy.buffer.percent"
		h.why = fmt.Sprintf("%.3g rooms in play ÷ (1 − fleet.policy.buffer.percent %g%%)", rooms, *p.Buffer.Percent)
		if float64(p.Buffer.Min) > h.servers {
			h.servers, h.field = float64(p.Buffer.Min), "fleet.policy.buffer.min"
			h.why = fmt.Sprintf("fleet.policy.buffer.min %d", p.Buffer.Min)
		}
		limit, limitField = p.Buffer.Max, "fleet.policy.buffer.max"
	case p.Buffer != nil && p.Buffer.Size != nil:
		h.servers, h.field, h.why = buffered(rooms, "fleet.policy.buffer.size", *p.Buffer.Size, scheduled)
		if float64(p.Buffer.Min) > h.servers {
			h.servers, h.field = float64(p.Buffer.Min), "fleet.policy.buffer.min"
			h.why = fmt.Sprintf("fleet.policy.buffer.min %d", p.Buffer.Min)
		}
		limit, limitField = p.Buffer.Max, "fleet.policy.buffer.max"
	case p.MinAvailable != nil && p.MinAvailable.Fraction != nil:
		// OpenKruiseGame keeps Fraction of the fleet idle; at 1 the
		// fleet grows on every sync until its max.
		f := *p.MinAvailable.Fraction
		h.servers, h.field = math.Inf(1), "fleet.policy.minAvailable.fraction below 1, set fleet.policy.minAvailable.max"
		if f < 1 {
			h.servers, h.field = rooms/(1-f), "fleet.policy.minAvailable.fraction"
		}
		h.why = fmt.Sprintf("%.3g rooms in play ÷ (1 − fleet.policy.minAvailable.fraction %g)", rooms, f)
		limit, limitField = p.MinAvailable.Max, "fleet.policy.minAvailable.max"
	case p.MinAvailable != nil && p.MinAvailable.Count != nil:
		h.servers, h.field, h.why = buffered(rooms, "fleet.policy.minAvailable.count", *p.MinAvailable.Count, scheduled)
		limit, limitField = p.MinAvailable.Max, "fleet.policy.minAvailable.max"
	}
	if limit > 0 && h.servers > float64(limit) {
		h.servers, h.field = float64(limit), limitField
		h.why = fmt.Sprintf("%s %d", limitField, limit)
	}
	h.why = fmt.Sprintf("%s game servers (%s)", approx(h.servers), h.why)
	if n := sc.Nodes; n.PodsPerNode > 0 {
		h.nodes = math.Min(math.Max(float64(max(n.Initial, n.Min)), math.Ceil(h.servers/float64(n.PodsPerNode))), float64(n.Max))
		h.why += fmt.Sprintf(" on ≈%.3g nodes (nodes.podsPerNode %d, nodes.initial %d, nodes.min %d, nodes.max %d)", h.nodes, n.PodsPerNode, n.Initial, n.Min, n.Max)
		if h.nodes > h.servers {
			h.field = "nodes.initial or nodes.min"
		}
	}
	return h
}

// buffered is rooms in play plus a count policy's buffer, the larger of
// its count and its schedule's.
func buffered(rooms float64, field string, count, scheduled int) (float64, string, string) {
	if scheduled > count {
		return rooms + float64(scheduled), "fleet.policy.schedule", fmt.Sprintf("%.3g rooms in play + fleet.policy.schedule's largest count %d", rooms, scheduled)
	}
	return rooms + float64(count), field, fmt.Sprintf("%.3g rooms in play + %s %d", rooms, field, count)
}
