package sizing

import (
	"fmt"
	"math"

	"github.com/fleetbench/fleetbench/results"
	"gonum.org/v1/gonum/stat/distuv"
)

// confidence is the joint confidence of a value's intervals over all of
// its looks.
const confidence = 0.95

// maxDaysCap bounds --max-days: a day of evening-peak takes ~0.1 s.
const maxDaysCap = 100_000

// dayRule is the sequential rule that judges a value by the share of
// simulated days meeting every SLO. Days are added in looks (first, 2·first,
// 4·first, … up to the budget); at each look a Clopper–Pearson interval at
// level 1 − (1−confidence)/K for K looks decides "meets" when its lower end
// reaches the target and "misses" when its upper end falls below it. The K
// intervals cover the true share together with probability ≥ confidence
// (Bonferroni), so a wrong "meets" and a wrong "misses" each happen with
// probability ≤ (1−confidence)/2. A value still straddling the target at
// the budget is undecided, and is not taken to meet.
type dayRule struct {
	target float64
	looks  []int
	alpha  float64 // two-sided, per look
	// certify is the least share of the budget's days that certifies
	// the target: what the search aims for.
	certify float64
}

// newDayRule checks the target and the budget: a budget whose last look
// cannot decide either way is refused with the budget that could.
func newDayRule(target float64, first, budget int) (dayRule, error) {
	switch {
	case !(target > 0 && target < 1):
		return dayRule{}, fmt.Errorf("--target %g: must be a share strictly between 0 and 1", target)
	case first < 1:
		return dayRule{}, fmt.Errorf("--days %d: the first look needs at least 1 day", first)
	case budget < first:
		return dayRule{}, fmt.Errorf("--max-days %d: must be at least --days (%d)", budget, first)
	case budget > maxDaysCap:
		return dayRule{}, fmt.Errorf("--max-days %d: at most %d", budget, maxDaysCap)
	}
	r := rule(target, first, budget)
	if r.canDecide() {
		r.certify = r.certifyShare()
		return r, nil
	}
	need := budget + 1
	for ; need <= maxDaysCap && !rule(target, first, need).canDecide(); need++ {
	}
	if need > maxDaysCap {
		return dayRule{}, fmt.Errorf("--target %g: no budget up to %d days can decide it at %g%% confidence", target, maxDaysCap, confidence*100)
	}
	return dayRule{}, fmt.Errorf("--max-days %d cannot decide a target of %g at %g%% confidence: even if all %d days met every SLO (or none did), the interval would still straddle it; --max-days %d (with --days %d) would decide it",
		budget, target, confidence*100, budget, need, first)
}

func rule(target float64, first, budget int) dayRule {
	var looks []int
	for n := first; n < budget; n *= 2 {
		looks = append(looks, n)
	}
	looks = append(looks, budget)
	return dayRule{target: target, looks: looks, alpha: (1 - confidence) / float64(len(looks))}
}

// canDecide reports whether the last look can decide both ways: all days
// met certifies the target, none met rules it out.
func (r dayRule) canDecide() bool {
	n := r.budget()
	lo, _ := r.interval(n, n)
	_, hi := r.interval(0, n)
	return lo >= r.target && hi < r.target
}

func (r dayRule) budget() int { return r.looks[len(r.looks)-1] }

// interval is the Clopper–Pearson interval of met/n at the look level.
func (r dayRule) interval(met, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	a := r.alpha / 2
	lo, hi = 0, 1
	if met > 0 {
		lo = distuv.Beta{Alpha: float64(met), Beta: float64(n - met + 1)}.Quantile(a)
	}
	if met < n {
		hi = distuv.Beta{Alpha: float64(met + 1), Beta: float64(n - met)}.Quantile(1 - a)
	}
	return lo, hi
}

// decide judges met of n days at a look.
func (r dayRule) decide(met, n int) string {
	lo, hi := r.interval(met, n)
	switch {
	case lo >= r.target:
		return results.Meets
	case hi < r.target:
		return results.Misses
	}
	return results.Undecided
}

// sequential applies the rule: extend(to) adds days up to the look `to`
// and returns how many of all days so far met every SLO; it stops at the
// first look that decides, or at the budget.
func (r dayRule) sequential(extend func(to int) (met, n int, err error)) (string, error) {
	for _, look := range r.looks {
		met, n, err := extend(look)
		if err != nil {
			return "", err
		}
		if d := r.decide(met, n); d != results.Undecided {
			return d, nil
		}
	}
	return results.Undecided, nil
}

// searchPasses is the search's criterion on its own days: at least the
// share the last look needs to certify the target, so the search aims
// where verification can succeed.
func (r dayRule) searchPasses(met, n int) bool {
	return float64(met) >= r.certify*float64(n)-1e-9
}

// searchFailed reports whether failures already rule out searchPasses.
func (r dayRule) searchFailed(failed, n int) bool {
	return float64(n-failed) < r.certify*float64(n)-1e-9
}

// certifyShare is the least share of the budget that certifies the target.
func (r dayRule) certifyShare() float64 {
	n := r.budget()
	met := n
	for met > 0 {
		if lo, _ := r.interval(met-1, n); lo < r.target {
			break
		}
		met--
	}
	return float64(met) / float64(n)
}

// describe states the rule for the report.
func (r dayRule) describe() results.DayRule {
	k := len(r.looks)
	return results.DayRule{
		Target: r.target, Confidence: confidence, Looks: r.looks, LookLevel: 1 - r.alpha,
		Statement: fmt.Sprintf("Each simulated day is judged against every SLO by itself. A value meets the target when the lower end of "+
			"its interval on the share of days meeting every SLO reaches %g, and misses it when the upper end falls below; days are added "+
			"at %v. Each look's Clopper–Pearson interval is at %.4g%%, so the %d intervals hold together with %g%%: a value wrongly "+
			"said to meet, or wrongly said to miss, each has probability ≤ %.3g%%. A value undecided at %d days is not taken to meet.",
			r.target, r.looks, (1-r.alpha)*100, k, confidence*100, (1-confidence)/2*100, r.budget()),
	}
}

// round4 keeps shares readable in JSON.
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
