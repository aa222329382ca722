package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// IntOrPercent is a Kubernetes-style bound: a count (3) or a percentage
// of a total ("25%"). It is here, with one parser and one rounding, so a
// scenario's rolling update and fleetd's flags cannot read it differently.
type IntOrPercent struct {
	Value   float64 // the count (whole), or the percentage (may be fractional)
	Percent bool
}

// ParseIntOrPercent reads "3" or "25%".
func ParseIntOrPercent(text string) (IntOrPercent, error) {
	s := strings.TrimSpace(text)
	pct := strings.HasSuffix(s, "%")
	num, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(num) || math.IsInf(num, 0) || (!pct && num != math.Trunc(num)) {
		return IntOrPercent{}, fmt.Errorf("%q is not an integer or a percentage such as 25%%", text)
	}
	return IntOrPercent{Value: num, Percent: pct}, nil
}

// String is the value as written: "3" or "25%".
func (v IntOrPercent) String() string {
	s := strconv.FormatFloat(v.Value, 'f', -1, 64)
	if v.Percent {
		s += "%"
	}
	return s
}

// Of resolves the value against a total: percentages round up for surge
// (roundUp) and down for unavailability, as Kubernetes does.
func (v IntOrPercent) Of(total int, roundUp bool) int {
	if !v.Percent {
		return int(v.Value)
	}
	x := v.Value * float64(total) / 100
	if roundUp {
		return int(math.Ceil(x))
	}
	return int(math.Floor(x))
}
