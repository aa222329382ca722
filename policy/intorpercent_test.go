package policy

import (
	"strings"
	"testing"
)

// A bound reads as written, writes back the same, and resolves as
// Kubernetes does: percentages up for surge, down for unavailability.
func TestIntOrPercent(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text     string
		of10     int // rounded up
		of10Down int
	}{
		{"3", 3, 3},
		{"0", 0, 0},
		{"25%", 3, 2},
		{"12.5%", 2, 1},
		{"100%", 10, 10},
	} {
		v, err := ParseIntOrPercent(c.text)
		if err != nil {
			t.Fatalf("%s: %v", c.text, err)
		}
		if v.String() != c.text {
			t.Errorf("%s written as %s", c.text, v)
		}
		if up, down := v.Of(10, true), v.Of(10, false); up != c.of10 || down != c.of10Down {
			t.Errorf("%s of 10: %d up, %d down; want %d, %d", c.text, up, down, c.of10, c.of10Down)
		}
	}
	for _, bad := range []string{"", "lots", "1.5", "%", "NaN%", "Inf"} {
		if _, err := ParseIntOrPercent(bad); err == nil || !strings.Contains(err.Error(), "not an integer or a percentage") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
