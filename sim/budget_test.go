package sim

import (
	"errors"
	"flag"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/scenarios"
)

// small is cmd/sim's small scenario (2 players/s, 2-minute sessions,
// matches of 2: ≈240 players and ≈120 rooms at once) with its fleet
// policy and nodes replaced.
func small(t *testing.T, policy, nodes string) *scenarios.Scenario {
	t.Helper()
	doc := "apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: small\nduration: 30m\n" +
		"arrivals: {segments: [{constant: {rate: 2}}]}\n" +
		"players: {perMatch: 2, sessionLength: {exponential: {mean: 2m}}}\n" +
		"fleet: {policy: " + policy + ", syncInterval: 10s}\nnodes: " + nodes + "\n"
	sc, err := scenarios.Parse([]byte(doc), ".")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// The servers a run holds count against the budget, by the field that
// makes them many.
func TestEstimateCountsServersAndNodes(t *testing.T) {
	t.Parallel()
	const rooms = 120.0
	for _, c := range []struct {
		name, policy, nodes string
		servers             float64
		field               string
	}{
		{"a buffer", "{buffer: {size: 1000000}}", "{podsPerNode: 0}", rooms + 1e6, "fleet.policy.buffer.size"},
		{"a buffer's schedule", "{buffer: {size: 6}, schedule: [{at: 1m, count: 500000}]}", "{podsPerNode: 0}", rooms + 5e5, "fleet.policy.schedule"},
		{"a buffer's min", "{buffer: {percent: 10, min: 900000}}", "{podsPerNode: 0}", 9e5, "fleet.policy.buffer.min"},
		{"a percent buffer", "{buffer: {percent: 99}}", "{podsPerNode: 0}", rooms * 100, "fleet.policy.buffer.percent"},
		{"a capped percent buffer", "{buffer: {percent: 99, max: 500}}", "{podsPerNode: 0}", 500, "fleet.policy.buffer.max"},
		{"minAvailable", "{minAvailable: {count: 30}}", "{podsPerNode: 0}", rooms + 30, "fleet.policy.minAvailable.count"},
		{"a fraction", "{minAvailable: {fraction: 0.5}}", "{podsPerNode: 0}", rooms * 2, "fleet.policy.minAvailable.fraction"},
		{"a fraction of 1", "{minAvailable: {fraction: 1}}", "{podsPerNode: 0}", math.Inf(1), "set fleet.policy.minAvailable.max"},
		{"nodes under the servers", "{buffer: {size: 80}}", "{podsPerNode: 10, max: 100, initial: 1}", rooms + 80 + 20, "fleet.policy.buffer.size"},
		{"nodes up front", "{buffer: {size: 6}}", "{podsPerNode: 1, max: 1000000, initial: 1000000}", rooms + 6 + 1e6, "nodes.initial"},
	} {
		w := Estimate(small(t, c.policy, c.nodes))
		if math.Abs(w.Servers-c.servers) > 1e-6*c.servers && w.Servers != c.servers {
			t.Errorf("%s: ≈%g servers and nodes, want %g", c.name, w.Servers, c.servers)
		}
		if !strings.Contains(w.ServersField, c.field) || !strings.Contains(w.Why, "game servers") {
			t.Errorf("%s: field %q, want %q (why: %s)", c.name, w.ServersField, c.field, w.Why)
		}
	}
}

func TestBudgetRefusesServersPastIt(t *testing.T) {
	t.Parallel()
	w := Estimate(small(t, "{buffer: {size: 1000000}}", "{podsPerNode: 0}"))
	err := DefaultBudget().Check(w)
	for _, want := range []string{"≈1e+06 game servers and nodes at once (up to ≈370 MB), more than --max-servers 1e+06",
		"120 rooms in play + fleet.policy.buffer.size 1000000", "lower fleet.policy.buffer.size or raise --max-servers"} {
		if !errors.Is(err, ErrOverBudget) || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if err := (Budget{Servers: 2e6}).Check(w); err != nil {
		t.Errorf("a raised budget: %v", err)
	}
	inf := Estimate(small(t, "{minAvailable: {fraction: 1}}", "{podsPerNode: 0}"))
	if err := (Budget{Servers: 1e300}).Check(inf); err == nil || !strings.Contains(err.Error(), "unbounded game servers") {
		t.Errorf("a fraction of 1 without a max: %v", err)
	}
	// What one run holds is the larger run's, not the sum.
	if sum := w.Times(10).Plus(Estimate(small(t, "{buffer: {size: 6}}", "{podsPerNode: 0}"))); sum.Servers != w.Servers || sum.ServersField != "fleet.policy.buffer.size" {
		t.Errorf("summed work holds %g servers by %s", sum.Servers, sum.ServersField)
	}
}

// A budget that is no finite number > 0 is refused, not switched off; a
// zero field takes the default (a literal that predates the field).
func TestBudgetRefusesLimitsThatSwitchItOff(t *testing.T) {
	t.Parallel()
	w := Estimate(small(t, "{buffer: {size: 6}}", "{podsPerNode: 0}"))
	for _, c := range []struct {
		b    Budget
		want string
	}{
		{Budget{Events: math.NaN()}, "--max-events NaN: must be a finite number > 0"},
		{Budget{Concurrent: math.Inf(1)}, "--max-concurrent +Inf: must be a finite number > 0"},
		{Budget{Servers: -1}, "--max-servers -1: must be a finite number > 0"},
	} {
		if err := c.b.Check(w); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.b, err, c.want)
		}
	}
	if err := (Budget{Events: 1e7, Concurrent: 20_000}).Check(w); err != nil {
		t.Errorf("a budget without Servers: %v", err)
	}
}

func TestBudgetFlagsTakeFiniteNumbersAboveZero(t *testing.T) {
	t.Parallel()
	parse := func(args ...string) (Budget, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		b := Budget{Events: 1e7}
		b.RegisterFlags(fs)
		return b, fs.Parse(args)
	}
	for _, c := range []struct{ arg, want string }{
		{"--max-events=NaN", `invalid value "NaN" for flag -max-events: want a finite number > 0`},
		{"--max-events=inf", "-max-events: want a finite number > 0"},
		{"--max-concurrent=1e400", "-max-concurrent: want a finite number > 0"},
		{"--max-concurrent=-5", "-max-concurrent: want a number > 0"},
		{"--max-servers=0", "-max-servers: want a number > 0"},
		{"--max-servers=lots", "-max-servers: not a number"},
	} {
		if _, err := parse(c.arg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.arg, err, c.want)
		}
	}
	b, err := parse("--max-servers", "3e6", "--max-concurrent", " 5 ")
	if err != nil || b.Servers != 3e6 || b.Concurrent != 5 || b.Events != 1e7 {
		t.Errorf("%+v, %v", b, err)
	}
	if b, _ := parse(); b.Servers != DefaultBudget().Servers {
		t.Errorf("an unset field registers the default: %+v", b)
	}
}
