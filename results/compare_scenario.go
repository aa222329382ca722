package results

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ScenarioMismatch is a group of runs compared although they were not all
// made from one scenario: a regression check of two different scenarios
// measures the edit, not the code.
type ScenarioMismatch struct {
	// Scenario and Source name the group (runs are compared per scenario
	// name and source). Both are empty when the two sides share no
	// scenario name at all; Baseline and Current then count runs by name.
	Scenario, Source string
	// Baseline and Current count the group's runs by scenario hash (runs
	// without a hash, from older files, are left out: unknown is not
	// different).
	Baseline, Current map[string]int
}

func (m ScenarioMismatch) String() string {
	if m.Scenario == "" {
		return fmt.Sprintf("the baseline holds scenario %s, the current runs %s: no scenario in common", counted(m.Baseline), counted(m.Current))
	}
	base := counted(m.Baseline)
	if len(m.Baseline) == 0 {
		base = "none (no baseline runs)"
	}
	return fmt.Sprintf("%s (%s): baseline scenario hash %s, current %s", m.Scenario, m.Source, base, counted(m.Current))
}

// Short is the mismatch in a few words, for a heading.
func (m ScenarioMismatch) Short() string {
	if m.Scenario == "" {
		return strings.Join(slices.Sorted(maps.Keys(m.Baseline)), ", ") + " against " + strings.Join(slices.Sorted(maps.Keys(m.Current)), ", ")
	}
	return "baseline " + strings.Join(slices.Sorted(maps.Keys(m.Baseline)), ", ") + ", current " + strings.Join(slices.Sorted(maps.Keys(m.Current)), ", ")
}

// counted lists keys with their runs: "a1b2 (3 runs)", "a1b2 (2 runs) and c3d4 (1 run)".
func counted(n map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(n)) {
		runs := "runs"
		if n[k] == 1 {
			runs = "run"
		}
		parts = append(parts, fmt.Sprintf("%s (%d %s)", k, n[k], runs))
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// ScenarioMismatches lists what compare would set against each other
// without being the same scenario: two sides without a scenario name in
// common, or a group (scenario name and source, as compared) whose runs,
// on either side, carry more than one scenario hash. A group only the
// baseline holds is not compared and not listed.
func ScenarioMismatches(baseline, current []*Run) []ScenarioMismatch {
	names := func(runs []*Run) map[string]int {
		out := map[string]int{}
		for _, r := range runs {
			out[r.Meta.Scenario]++
		}
		return out
	}
	nb, nc := names(baseline), names(current)
	if len(nb) > 0 && len(nc) > 0 && !slices.ContainsFunc(slices.Collect(maps.Keys(nc)), func(n string) bool { return nb[n] > 0 }) {
		return []ScenarioMismatch{{Baseline: nb, Current: nc}}
	}
	type key struct{ scenario, source string }
	hashes := func(runs []*Run) map[key]map[string]int {
		out := map[key]map[string]int{}
		for _, r := range runs {
			k := key{r.Meta.Scenario, r.Meta.Source}
			if out[k] == nil {
				out[k] = map[string]int{}
			}
			if r.Meta.ScenarioHash != "" {
				out[k][r.Meta.ScenarioHash]++
			}
		}
		return out
	}
	hb, hc := hashes(baseline), hashes(current)
	var out []ScenarioMismatch
	for _, k := range slices.SortedFunc(maps.Keys(hc), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.scenario, b.scenario), cmp.Compare(a.source, b.source))
	}) {
		all := maps.Clone(hc[k])
		maps.Copy(all, hb[k])
		if len(all) > 1 {
			out = append(out, ScenarioMismatch{Scenario: k.scenario, Source: k.source, Baseline: hb[k], Current: hc[k]})
		}
	}
	return out
}

// Relabeled are copies of runs under another scenario name (the runs
// themselves unchanged): two differently named scenarios compared on
// purpose become one group.
func Relabeled(runs []*Run, scenario string) []*Run {
	out := make([]*Run, len(runs))
	for i, r := range runs {
		c := *r
		c.Meta.Scenario = scenario
		out[i] = &c
	}
	return out
}
