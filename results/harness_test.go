package results

import (
	"strings"
	"testing"
)

// TestHarnessSummary: valid runs list their figures; invalid ones say
// which check was over, by how much and why.
func TestHarnessSummary(t *testing.T) {
	h := &Harness{Valid: true, Checks: []HarnessCheck{{Name: "arrivals_late", Value: 0.002, Limit: 0.01, Unit: "fraction"}, {Name: "sched_latency_p99", Value: 0.0004, Limit: 0.01, Unit: "s"}}}
	if got := h.Summary(); got != "harness: valid — arrivals_late 0.20%, sched_latency_p99 0.4 ms" {
		t.Errorf("valid: %q", got)
	}
	if h.Short() != "harness ok" {
		t.Errorf("short: %q", h.Short())
	}
	h.Valid, h.Checks[1].Value, h.Checks[1].Over, h.Checks[1].Why = false, 0.025, true, "runnable goroutines waited"
	if got := h.Summary(); !strings.HasPrefix(got, "INVALID") || !strings.Contains(got, "sched_latency_p99 25.0 ms over its limit 10.0 ms (runnable goroutines waited)") {
		t.Errorf("invalid: %q", got)
	}
	if r := (&Run{Harness: h}); !r.Invalid() {
		t.Error("a run with an invalid harness is not Invalid")
	}
	if (&Run{}).Invalid() {
		t.Error("a run without a harness check is Invalid")
	}
}
