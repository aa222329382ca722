package sim

import (
	"testing"
)

// ParseAxis reads --set flags: it must refuse, not panic, on anything.
func FuzzParseAxis(f *testing.F) {
	for _, s := range []string{"fleet.policy.minAvailable.count=10:40:5", "a=1:1:1", "=::", "x=1e308:1e309:1", "x=0:1:1e-300"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAxis(s)
		if err != nil {
			return
		}
		if n := len(a.Values()); n == 0 || n > 10001 {
			t.Fatalf("%q: %d values", s, n)
		}
	})
}
