package sim

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
)

// The model picks rooms from O(1) buckets; this checks, on random fleets,
// that every pick is one policy.BetterRoom (shared with the stack) would
// make: no other Ready room is of a newer version or a better node load.
func TestRoomChoiceFollowsPolicy(t *testing.T) {
	for _, strategy := range []string{"packed", "distributed"} {
		t.Run(strategy, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			for trial := range 50 {
				m := randomFleet(t, r, strategy)
				for m.fleet.ready > 0 {
					best := m.nodes.takeBest(m)
					chosen := roomOf(m, best)
					for _, s := range m.fleet.noneList {
						if sv := &m.fleet.servers[s]; sv.state == srvReady && s != best {
							other := roomOf(m, s)
							other.Index, chosen.Index = 0, 0
							if policy.BetterRoom(other, chosen, strategy2(strategy)) {
								t.Fatalf("trial %d: picked %+v while %+v was better", trial, chosen, other)
							}
						}
					}
					m.fleet.allocate(m, best)
				}
			}
		})
	}
}

func strategy2(s string) policy.Placement {
	if s == "distributed" {
		return policy.Distributed
	}
	return policy.Packed
}

func roomOf(m *model, s int32) policy.Room {
	sv := &m.fleet.servers[s]
	return policy.Room{Version: int(sv.version), NodeLoad: m.nodes.nodes[sv.node].load, Index: int(sv.index)}
}

// randomFleet builds a model with nodes, several versions and a random
// mix of Ready and Allocated servers.
func randomFleet(t *testing.T, r *rand.Rand, strategy string) *model {
	t.Helper()
	sc := scenarios.Default()
	sc.Fleet.Scheduling = scenarios.Scheduling(strategy)
	sc.Nodes.Initial = 6
	m, err := newModel(sc, true)
	if err != nil {
		t.Fatal(err)
	}
	m.nodes.start(m)
	for v := range 3 {
		if v > 0 {
			m.fleet.rollout()
			m.nodes.addVersion()
		}
		for range 1 + r.IntN(10) {
			s := m.fleet.newServer(m)
			if m.fleet.servers[s].state != srvStarting {
				continue // no room on the nodes: stays pending
			}
			m.fleet.servers[s].gen++ // drop its scheduled ready event
			m.fleet.serverReady(m, s, m.fleet.servers[s].gen)
		}
	}
	// Allocate a random share so node loads differ.
	for range r.IntN(m.fleet.ready + 1) {
		m.fleet.takeReady(m)
	}
	return m
}

func TestArrivalsFollowTheCurve(t *testing.T) {
	dir := t.TempDir()
	trace := dir + "/trace.csv"
	writeFile(t, trace, "t_seconds,rate\n0,2\n1800,6\n3600,6\n")
	for _, tc := range []struct {
		name     string
		segments string
		process  string
	}{
		{"constant", "[{constant: {rate: 3}}]", "poisson"},
		{"linear", "[{linear: {from: 1, to: 7}}]", "poisson"},
		{"sine", "[{sine: {mean: 4, amplitude: 3, period: 30m}}]", "poisson"},
		{"burst", "[{for: 30m, constant: {rate: 2}}, {burst: {extra: 10, at: 5m, width: 10m}}]", "poisson"},
		{"trace", "[{trace: {file: trace.csv}}]", "poisson"},
		{"uniform", "[{for: 20m, constant: {rate: 2}}, {constant: {rate: 5}}]", "uniform"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: a\nduration: 1h\nplayers: {perMatch: 1}\n" +
				"arrivals: {process: " + tc.process + ", segments: " + tc.segments + "}\n"
			sc, err := scenarios.Parse([]byte(doc), dir)
			if err != nil {
				t.Fatal(err)
			}
			c := sc.Curve()
			want := 0.0 // ∫λ over the hour, by the trapezoid rule on 1 s steps
			for s := 0.0; s < 3600; s++ {
				want += (c.Rate(s) + c.Rate(s+1-1e-9)) / 2
			}
			_, r := simulate(t, sc)
			got := float64(r.Counters["players"])
			tol := 4 * math.Sqrt(want) // Poisson: variance = mean
			if tc.process == "uniform" {
				tol = 2
			}
			if d := got - want; d > tol || d < -tol {
				t.Errorf("arrivals = %g, want ∫λ = %.1f ± %.1f", got, want, tol)
			}
		})
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Scheduling follows policy.BetterNode: a new pod lands on a Ready node
// with room, and no other such node is preferred by the strategy.
func TestSchedulingFollowsPolicy(t *testing.T) {
	for _, strategy := range []string{"packed", "distributed"} {
		t.Run(strategy, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			for trial := range 50 {
				m := randomFleet(t, r, strategy)
				for range 20 {
					before := make([]int, len(m.nodes.nodes))
					for i, nd := range m.nodes.nodes {
						before[i] = nd.pods
					}
					s := m.fleet.newServer(m)
					chosen := m.fleet.servers[s].node
					if chosen < 0 {
						for i, nd := range m.nodes.nodes {
							if nd.state == nodeReady && before[i] < m.nodes.perNode {
								t.Fatalf("trial %d: pod left pending while node %d had room", trial, i)
							}
						}
						continue
					}
					for i, nd := range m.nodes.nodes {
						if int32(i) != chosen && nd.state == nodeReady && before[i] < m.nodes.perNode &&
							policy.BetterNode(before[i], before[chosen], strategy2(strategy)) {
							t.Fatalf("trial %d: scheduled on a node with %d pods while one with %d was better", trial, before[chosen], before[i])
						}
					}
				}
			}
		})
	}
}
