package reports

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/fleetbench/fleetbench/results"
)

// Suite is one scenario and source (model or measured) compared: the
// baseline's runs against the current ones.
type Suite struct {
	Scenario, Source  string
	Baseline, Current []*results.Run
	// Comparison is nil for a model suite whose output did not change.
	Comparison *results.Comparison
	// Changed: a model suite's output differs from the baseline's. The
	// model is deterministic, so any difference is a change of the model
	// (or of the scenario), to be accepted deliberately (make baseline).
	Changed bool
	// Missing: the baseline has no runs for this scenario and source.
	Missing bool
}

// SLOResult is one SLO verdict of one current run.
type SLOResult struct {
	results.Verdict
	Run int // 1-based, among the suite's current runs
	// Known: the baseline missed this SLO too. A known failure is shown
	// but does not fail the build: the check gates on what changed.
	Known bool
}

// SLOs are the current runs' verdicts.
func (s Suite) SLOs() []SLOResult {
	failedBefore := map[string]bool{}
	for _, r := range s.Baseline {
		for _, v := range r.Verdicts {
			if !v.Pass {
				failedBefore[v.SLO] = true
			}
		}
	}
	var out []SLOResult
	for i, r := range s.Current {
		for _, v := range r.Verdicts {
			out = append(out, SLOResult{Verdict: v, Run: i + 1, Known: !v.Pass && failedBefore[v.SLO]})
		}
	}
	return out
}

// ModelDeviation is one value of a current run outside the tolerance of
// the model of that run.
type ModelDeviation struct {
	results.Deviation
	Run int // 1-based, among the suite's current runs
}

// ModelDeviations are the current runs' values outside the tolerance of
// the model of each run: a conformance failure of the stack or cluster.
func (s Suite) ModelDeviations() []ModelDeviation {
	var out []ModelDeviation
	for i, r := range s.Current {
		if r.ModelCheck == nil {
			continue
		}
		for _, d := range r.ModelCheck.Failed() {
			out = append(out, ModelDeviation{Deviation: d, Run: i + 1})
		}
	}
	return out
}

// Failed reports whether the suite should fail a build: a regression, a
// changed model, an SLO newly missed, a run its own model does not
// predict, or no baseline to compare with.
func (s Suite) Failed() bool {
	if len(s.Incomplete()) > 0 {
		return true
	}
	if s.Changed || s.Missing || (s.Comparison != nil && len(s.Comparison.Failing()) > 0) || len(s.ModelDeviations()) > 0 {
		return true
	}
	for _, v := range s.SLOs() {
		if !v.Pass && !v.Known {
			return true
		}
	}
	return false
}

// Incomplete lists the current runs that stopped before their end.
func (s Suite) Incomplete() []string {
	var out []string
	for i, r := range s.Current {
		if r.Meta.Incomplete != "" {
			out = append(out, fmt.Sprintf("run %d: %s", i+1, r.Meta.Incomplete))
		}
	}
	return out
}

// Suites groups runs by scenario and source and compares each group.
func Suites(baseline, current []*results.Run, opts results.CompareOptions) ([]Suite, error) {
	key := func(r *results.Run) [2]string { return [2]string{r.Meta.Scenario, r.Meta.Source} }
	base := map[[2]string][]*results.Run{}
	for _, r := range baseline {
		base[key(r)] = append(base[key(r)], r)
	}
	cur := map[[2]string][]*results.Run{}
	var keys [][2]string
	for _, r := range current {
		if cur[key(r)] == nil {
			keys = append(keys, key(r))
		}
		cur[key(r)] = append(cur[key(r)], r)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || (keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1])
	})
	var out []Suite
	for _, k := range keys {
		s := Suite{Scenario: k[0], Source: k[1], Baseline: base[k], Current: cur[k]}
		switch {
		case len(s.Baseline) == 0:
			s.Missing = true
		case s.Source == results.SourceModel:
			same, err := identical(s.Baseline, s.Current)
			if err != nil {
				return nil, err
			}
			s.Changed = !same
			if s.Changed {
				if s.Comparison, err = results.Compare(s.Baseline, s.Current, opts); err != nil {
					return nil, fmt.Errorf("%s (%s): %w", s.Scenario, s.Source, err)
				}
			}
		default:
			var err error
			if s.Comparison, err = results.Compare(s.Baseline, s.Current, opts); err != nil {
				return nil, fmt.Errorf("%s (%s): %w", s.Scenario, s.Source, err)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// identical compares model runs byte for byte as written (version aside:
// a new build of the same model is the same model).
func identical(a, b []*results.Run) (bool, error) {
	if len(a) != len(b) {
		return false, nil
	}
	for i := range a {
		x, y := *a[i], *b[i]
		x.Meta.Version, y.Meta.Version = "", ""
		bx, err := results.Marshal(&x)
		if err != nil {
			return false, err
		}
		by, err := results.Marshal(&y)
		if err != nil {
			return false, err
		}
		if !bytes.Equal(bx, by) {
			return false, nil
		}
	}
	return true, nil
}
