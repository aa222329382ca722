package sizing

import (
	"fmt"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// confirm judges the verification walk's answer once more, on days that
// chose nothing (v is the confirmation family's verifier), and reports
// it from them. The walk picked its answer on the verification days: down
// a fixed sequence (a wrong "meets" there needs one value's wrong
// "meets"), or up past values each of which could have met by chance, so
// only days that never saw the walk bound how often a confirmed answer is
// wrong (the day rule's ≤ 2.5%, whatever the walk did) and give its share
// without the walk's optimism. An answer these days do not show to meet
// is proposed, not verified.
func (v *verifier) confirm(walked results.Verified, sc *scenarios.Scenario) (results.Verified, error) {
	c, err := v.judge(walked.Min)
	if err != nil {
		return walked, err
	}
	if decision := v.rule.decide(c.met, c.days); decision != results.Meets {
		days := c.share(v.rule)
		return results.Verified{Proposed: walked.Min, Days: &days, Reason: fmt.Sprintf(
			"%d met the target on the verification days but is %s on the confirmation days (%d of %d met every SLO), so nothing is verified; "+
				"a value a little above it, or more --max-days, may confirm", walked.Min, decision, c.met, c.days)}, nil
	}
	return v.report(results.Verified{Found: true, Min: walked.Min, Proposed: walked.Min}, sc)
}
