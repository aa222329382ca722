package local

import (
	"strings"
	"testing"
)

func TestKwokConfigHasBootDelay(t *testing.T) {
	s := testSpecForUnits()
	cfg := kwokConfig(s)
	if !strings.Contains(cfg, "durationMilliseconds: 2000") || !strings.Contains(cfg, "jitterDurationMilliseconds: 3000") {
		t.Errorf("boot delay 2–3 s missing from kwok config")
	}
	if strings.Contains(cfg, "__") {
		t.Errorf("unreplaced placeholder in kwok config")
	}
}
