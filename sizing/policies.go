package sizing

import (
	"context"
	"fmt"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// policyVariant is a buffer policy the scenario can be run under.
type policyVariant struct {
	name string
	set  func(count, limit int, kind string) string // the fleet.policy it sets
}

// policyVariants: OpenKruiseGame's minAvailable, Agones' buffer and the
// demand-aware form of the scenario's own policy (waiting matches count as
// demand), each from the configured count and under the same cap.
var policyVariants = []policyVariant{
	{"OpenKruiseGame minAvailable", func(n, max int, _ string) string {
		return fmt.Sprintf("{minAvailable: {count: %d, max: %d}}", n, max)
	}},
	{"Agones buffer", func(n, max int, _ string) string {
		return fmt.Sprintf("{buffer: {size: %d, max: %d}}", n, max)
	}},
	{"demand-aware (countWaiting)", func(n, max int, kind string) string {
		return fmt.Sprintf("{%s: {%s: %d, max: %d}, countWaiting: true}", kind, map[string]string{"minAvailable": "count", "buffer": "size"}[kind], n, max)
	}},
}

// ComparePolicies sizes the scenario under each policy variant with the
// sizing check, reusing own for the variant the scenario already is.
func ComparePolicies(ctx context.Context, doc []byte, dir string, o CheckOptions, own *results.Sizing) ([]results.PolicyAnswer, error) {
	sc, _, configured, limit, err := sized(doc, dir)
	if err != nil {
		return nil, err
	}
	if limit == searchCap {
		limit = 0 // no cap: the variants have none either
	}
	kind := "minAvailable"
	if sc.Fleet.Policy.Buffer != nil {
		kind = "buffer"
	}
	var out []results.PolicyAnswer
	for _, v := range policyVariants {
		set := v.set(configured, limit, kind)
		a := results.PolicyAnswer{Policy: v.name, Set: "fleet.policy=" + set}
		variant, err := scenarios.Rewrite(doc, []scenarios.Override{{Path: "fleet.policy", Value: set}})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		rep := own
		if !isOwn(sc, v.name) {
			if rep, err = Check(ctx, variant, dir, o); err != nil {
				return nil, fmt.Errorf("%s: %w", v.name, err)
			}
		}
		a.Knob, a.Verified = rep.Knob, rep.Verified
		out = append(out, a)
	}
	return out, nil
}

// isOwn: the variant is the scenario's own policy, already checked.
func isOwn(sc *scenarios.Scenario, variant string) bool {
	p := sc.Fleet.Policy
	switch variant {
	case "OpenKruiseGame minAvailable":
		return p.MinAvailable != nil && !p.CountWaiting
	case "Agones buffer":
		return p.Buffer != nil && !p.CountWaiting
	}
	return p.CountWaiting
}
