package results

import (
	"fmt"
	"math"
)

// Says is the verdict as a reader wants it: the note of a row not judged.
func (d Delta) Says() string {
	if d.Verdict == NotJudged && d.Note != "" {
		return d.Note
	}
	return d.Verdict
}

// Regressions are the rows judged worse.
func (c *Comparison) Regressions() []Delta {
	return c.rows(func(d Delta) bool { return d.Verdict == Regression })
}

// NotJudged are the rows with too few samples to judge, or none on one side.
func (c *Comparison) NotJudged() []Delta {
	return c.rows(func(d Delta) bool { return d.Verdict == NotJudged })
}

// Unverified are the rows not judged whose change would count as a
// regression: a gate must not pass what it could not check.
func (c *Comparison) Unverified() []Delta {
	return c.rows(func(d Delta) bool { return d.Verdict == NotJudged && d.Worse })
}

// Failing are the rows that fail a build: regressions and unverified.
func (c *Comparison) Failing() []Delta {
	return c.rows(func(d Delta) bool { return d.Verdict == Regression || (d.Verdict == NotJudged && d.Worse) })
}

func (c *Comparison) rows(keep func(Delta) bool) []Delta {
	var out []Delta
	for _, d := range c.Rows {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

// judge gives a row's verdict: a change counts when it is large enough,
// its interval excludes no change, and its test is significant (p ≤ α:
// three runs a side, fully separated, give Mann–Whitney's p = 0.05).
func judge(change, low, high, p, minEffect, alpha float64, higherIsWorse bool) string {
	if math.Abs(change) < minEffect || !(p <= alpha) || (low <= 0 && high >= 0) {
		return NoChange
	}
	if (change > 0) == higherIsWorse {
		return Regression
	}
	return Improvement
}

// relChange is (current − baseline) / baseline, defined where that is
// not: a rise from a zero baseline is +Inf (it passes any relative
// threshold, and the 50 ms floor decides), 0 → 0 is no change. A
// percentile of whole milliseconds is often 0 (match_wait, alloc_wait),
// and NaN there used to turn 0 s → 5 s into "no change".
func relChange(current, baseline float64) float64 {
	switch {
	case baseline != 0:
		return (current - baseline) / baseline
	case current > 0:
		return math.Inf(1)
	case current < 0:
		return math.Inf(-1)
	}
	return 0
}

// canReach reports whether a test of n1 against n2 observations can
// reach p ≤ alpha at all. The most extreme outcome, every observation of
// one side beyond every one of the other, has probability 1/C(n1+n2, n1)
// under the null: Mann–Whitney's smallest one-sided p (exact, no ties),
// and Fisher's exact test's for two proportions. Below that no
// difference, however large, is significant; a bootstrap or z test that
// says otherwise is an artefact of its approximation (one sample a side
// resamples to itself every time, so its p is 1/1001). For α = 0.05 that
// takes 3 a side (C(6,3) = 20), or 2 against 5, or 1 against 19.
func canReach(n1, n2, alpha float64) bool {
	if !(n1 > 0 && n2 > 0) {
		return false
	}
	k, n := min(n1, n2), n1+n2
	c := 1.0
	for i := 1.0; i <= k; i++ {
		c *= (n - k + i) / i // C(n−k+i, i): grows with i, so stop once enough
		if c*alpha >= 1-1e-9 {
			return true
		}
	}
	return false
}

// needAside is the fewest observations a side for which canReach holds
// (3 at α = 0.05), as the note of a row not judged says.
func needAside(alpha float64) float64 {
	for k := 1.0; k < 64; k++ {
		if canReach(k, k, alpha) {
			return k
		}
	}
	return 64
}

// tooFew is a row's note when canReach fails: unit is samples (the
// bootstrap's), runs (Mann–Whitney's) or trials (a ratio's).
func tooFew(unit string, n1, n2, alpha float64) string {
	return fmt.Sprintf("too few %s to judge (n=%.0f vs n=%.0f; need ≥ %.0f a side)", unit, n1, n2, needAside(alpha))
}

// noneOn is a row's note when one side has nothing of what is compared:
// more runs of the same kind may not help (kind measures no node boots).
func noneOn(unit string, n1, n2 float64) string {
	side := "current"
	if !(n1 > 0) {
		side = "baseline"
	}
	return fmt.Sprintf("no %s in the %s runs (n=%.0f vs n=%.0f): nothing to judge", unit, side, max(n1, 0), max(n2, 0))
}

// oneSided are a metric's rows when only one side holds samples of it:
// nothing to compare, and said so rather than left out.
func oneSided(name string, hb, hc *Histogram) []Delta {
	var rows []Delta
	for _, p := range comparedPercentiles {
		d := Delta{Name: name + "." + p.name, Relative: true, P: 1, Verdict: NotJudged, Note: noneOn("samples", float64(hb.Count()), float64(hc.Count()))}
		if hb.Count() > 0 {
			d.Baseline = hb.Quantile(p.q)
		}
		if hc.Count() > 0 {
			d.Current = hc.Quantile(p.q)
		}
		rows = append(rows, d)
	}
	return rows
}
