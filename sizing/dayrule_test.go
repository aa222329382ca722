package sizing

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/results"
)

func TestDayRuleIntervalIsClopperPearson(t *testing.T) {
	// One look: the level is the plain 95%. Reference values: 0 of 30 has
	// upper bound 1 − 0.025^(1/30) and 30 of 30 lower bound 0.025^(1/30);
	// 15 of 30 is symmetric about 0.5 (R: binom.test(15, 30)$conf.int
	// = 0.3130, 0.6870).
	r := rule(0.95, 30, 30)
	if len(r.looks) != 1 || math.Abs(r.alpha-0.05) > 1e-12 {
		t.Fatalf("rule = %+v: want one look at 95%%", r)
	}
	for _, tc := range []struct {
		met      int
		low, hig float64
	}{
		{0, 0, 1 - math.Pow(0.025, 1.0/30)},
		{30, math.Pow(0.025, 1.0/30), 1},
		{15, 0.3130, 0.6870},
	} {
		lo, hi := r.interval(tc.met, 30)
		if math.Abs(lo-tc.low) > 5e-4 || math.Abs(hi-tc.hig) > 5e-4 {
			t.Errorf("interval(%d, 30) = [%.4f, %.4f], want [%.4f, %.4f]", tc.met, lo, hi, tc.low, tc.hig)
		}
	}
}

func TestDayRuleLooksShareTheConfidence(t *testing.T) {
	r := rule(0.95, 30, 100)
	if got := r.looks; len(got) != 3 || got[0] != 30 || got[1] != 60 || got[2] != 100 {
		t.Fatalf("looks = %v, want [30 60 100]", got)
	}
	if math.Abs(r.alpha-0.05/3) > 1e-12 {
		t.Errorf("per-look alpha = %g, want 0.05/3 (Bonferroni over 3 looks)", r.alpha)
	}
	// At 100 days only a clean record certifies 0.95: 0.00833^(1/100) ≈ 0.9532.
	if d := r.decide(100, 100); d != results.Meets {
		t.Errorf("100/100: %s, want meets", d)
	}
	if d := r.decide(99, 100); d != results.Undecided {
		t.Errorf("99/100: %s, want undecided", d)
	}
	if d := r.decide(20, 30); d != results.Misses {
		t.Errorf("20/30: %s, want misses", d)
	}
}

func TestDayRuleRefusesBudgetsThatCannotDecide(t *testing.T) {
	_, err := newDayRule(0.95, 30, 50)
	if err == nil {
		t.Fatal("a budget of 50 days cannot certify 0.95 at 95%: want an error")
	}
	// The error names the budget that would decide; it must, and one less must not.
	msg := err.Error()
	i := strings.Index(msg, "; --max-days ")
	if i < 0 {
		t.Fatalf("error %q does not say what would decide", msg)
	}
	need, err := strconv.Atoi(strings.Fields(msg[i+len("; --max-days "):])[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newDayRule(0.95, 30, need); err != nil {
		t.Errorf("the suggested budget %d is refused: %v", need, err)
	}
	if _, err := newDayRule(0.95, 30, need-1); err == nil {
		t.Errorf("%d days decide too: the suggestion %d is not the least", need-1, need)
	}
	for _, bad := range []float64{0, 1, -0.5, 1.5, math.NaN()} {
		if _, err := newDayRule(bad, 30, 100); err == nil || !strings.Contains(err.Error(), "--target") {
			t.Errorf("target %g: error %v, want one naming --target", bad, err)
		}
	}
}

// TestDayRuleErrorRates replays the sequential rule on Bernoulli days at
// the boundary of each error: a value whose true share is just under the
// target must rarely be said to meet it, one just at it rarely to miss it.
// The stated bound is (1 − confidence)/2 = 2.5% each.
func TestDayRuleErrorRates(t *testing.T) {
	r, err := newDayRule(0.95, 30, 100)
	if err != nil {
		t.Fatal(err)
	}
	const trials = 4000
	rate := func(p float64, wrong string) float64 {
		rng := rand.New(rand.NewPCG(1, 2))
		bad := 0
		for range trials {
			met, n := 0, 0
			d, _ := r.sequential(func(to int) (int, int, error) {
				for ; n < to; n++ {
					if rng.Float64() < p {
						met++
					}
				}
				return met, n, nil
			})
			if d == wrong {
				bad++
			}
		}
		return float64(bad) / trials
	}
	// Binomial noise on 4000 trials at 2.5% is ±0.5% (two sigma).
	t.Logf("wrong 'meets' at 0.9499: %.2f%%; wrong 'misses' at 0.95: %.2f%%", rate(0.9499, results.Meets)*100, rate(0.95, results.Misses)*100)
	if got := rate(0.9499, results.Meets); got > 0.03 {
		t.Errorf("true share 0.9499: said to meet %.2f%% of the time, bound 2.5%%", got*100)
	}
	if got := rate(0.95, results.Misses); got > 0.03 {
		t.Errorf("true share 0.95: said to miss %.2f%% of the time, bound 2.5%%", got*100)
	}
	// And it decides where it should: a share of 0.8 is found to miss.
	if got := rate(0.8, results.Misses); got < 0.9 {
		t.Errorf("true share 0.8: said to miss only %.1f%% of the time", got*100)
	}
}
