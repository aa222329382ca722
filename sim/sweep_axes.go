package sim

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// parseSeedAxis reads a seed axis' bounds as whole numbers from 0 to
// 2^64−1, exactly: read as floats, seeds past 2^53 round together and
// the sweep would run the same seed twice as two points.
func parseSeedAxis(s string, parts []string) (Axis, error) {
	var v [3]uint64
	for i, p := range parts {
		u, err := strconv.ParseUint(strings.TrimSpace(p), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(p, 64)
			switch {
			case ferr != nil || math.IsNaN(f) || math.IsInf(f, 0):
				return Axis{}, fmt.Errorf("--set %q: %q is not a number", s, p)
			case f != math.Trunc(f) || f < 0 || f > 1<<53:
				return Axis{}, fmt.Errorf("--set %q: %q: seed takes whole numbers from 0 to 2^64−1", s, p)
			}
			u = uint64(f) // 1e3: exact below 2^53
		}
		v[i] = u
	}
	r := SeedRange{From: v[0], To: v[1], Step: v[2]}
	switch {
	case r.Step == 0:
		return Axis{}, fmt.Errorf("--set %q: STEP must be > 0", s)
	case r.To < r.From:
		return Axis{}, fmt.Errorf("--set %q: TO must be ≥ FROM", s)
	case (r.To-r.From)/r.Step > maxAxisValues:
		return Axis{}, fmt.Errorf("--set %q: more than %d values", s, maxAxisValues)
	}
	return Axis{Path: "seed", From: float64(r.From), To: float64(r.To), Step: float64(r.Step), Seeds: r}, nil
}

// leadingZeros matches an index written with leading zeros ([007]),
// which names the same element as [7].
var leadingZeros = regexp.MustCompile(`\[0+(\d)`)

// CheckAxes refuses a sweep whose axes the grid cannot honour: two
// axes on one field (the later would silently override the earlier at
// every point), an axis on a field inside another axis' field, and a
// seed axis without exact bounds (one not made by ParseAxis).
func CheckAxes(axes []Axis) error {
	type field struct{ canon, given string }
	var seen []field
	for _, a := range axes {
		if a.Path == "seed" && a.Seeds.Step == 0 {
			return fmt.Errorf("--set seed=%g:%g:%g: a seed axis needs whole-number bounds (SeedRange)", a.From, a.To, a.Step)
		}
		p := leadingZeros.ReplaceAllString(a.Path, "[$1")
		for _, q := range seen {
			switch {
			case p == q.canon:
				return fmt.Errorf("--set %s is given twice (as %s and %s): each field takes one axis", a.Path, q.given, a.Path)
			case inside(p, q.canon):
				return fmt.Errorf("--set %s sweeps a field inside --set %s: each field takes one axis", a.Path, q.given)
			case inside(q.canon, p):
				return fmt.Errorf("--set %s sweeps a field inside --set %s: each field takes one axis", q.given, a.Path)
			}
		}
		seen = append(seen, field{p, a.Path})
	}
	return nil
}

// inside says whether path p names a field within path q.
func inside(p, q string) bool {
	return strings.HasPrefix(p, q+".") || strings.HasPrefix(p, q+"[")
}
