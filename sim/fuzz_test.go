package sim

import (
	"os"
	"testing"
)

// ParseAxis reads --set flags: it must refuse, not panic, on anything.
func FuzzParseAxis(f *testing.F) {
	for _, s := range []string{"fleet.policy.minAvailable.count=10:40:5", "a=1:1:1", "=::", "x=1e308:1e309:1", "x=0:1:1e-300",
		"seed=18446744073709551600:18446744073709551615:7", "seed=9007199254740993:9007199254740999:2", "seed=0:1e3:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAxis(s)
		if err != nil {
			return
		}
		values := a.Values()
		if n := len(values); n == 0 || n > 10001 {
			t.Fatalf("%q: %d values", s, n)
		}
		// A seed axis is exact: as many values as it counts, none twice.
		if a.Path == "seed" {
			seen := map[string]bool{}
			for _, v := range values {
				if seen[v] {
					t.Fatalf("%q: seed %s twice", s, v)
				}
				seen[v] = true
			}
			if a.Count() != len(values) {
				t.Fatalf("%q: counts %d, lists %d", s, a.Count(), len(values))
			}
		}
	})
}

// sweep.json is read back by report: any bytes give a sweep or an error.
func FuzzReadSweep(f *testing.F) {
	if data, err := os.ReadFile("../reports/testdata/small.sweep.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"points":[{"set":{},"timeToRoomP99":-1}]}`))
	f.Add([]byte(`{"points":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := UnmarshalSweep(data)
		if err != nil {
			return
		}
		if len(res.Points) == 0 || len(res.Points) > maxSweepRuns {
			t.Fatalf("accepted %d points", len(res.Points))
		}
	})
}
