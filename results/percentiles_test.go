package results

import (
	"math"
	"testing"
	"time"
)

func TestStepPercentiles(t *testing.T) {
	t.Parallel()
	p := NewStepPercentiles(10 * time.Second)
	for i := 1; i <= 100; i++ {
		p.Record(5, float64(i)/10) // step 0: 0.1 … 10 s
		p.Record(25, 3)            // step 2: all 3 s
	}
	p50, p99 := p.Series(0.5, 4), p.Series(0.99, 4)
	if math.Abs(p50[0]-5) > 0.15 || math.Abs(p99[0]-9.9) > 0.3 {
		t.Errorf("step 0: p50 %v p99 %v, want ≈5 and ≈9.9 (buckets ±2%%)", p50[0], p99[0])
	}
	if p50[1] != -1 || p50[3] != -1 {
		t.Errorf("steps without samples: %v, want -1", p50)
	}
	if math.Abs(p50[2]-3) > 0.07 || p50[2] != p99[2] {
		t.Errorf("step 2: p50 %v p99 %v, want both ≈3", p50[2], p99[2])
	}
	if got := p.Series(0.5, 1); len(got) != 1 {
		t.Errorf("points bound the series: %v", got)
	}
}
