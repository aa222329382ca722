package results

import (
	"fmt"
	"strings"
)

// Harness is a real run's check on itself: whether the load generator and
// its host kept up, so that what was measured is the system under test. A
// run is invalid when any check is over its limit.
type Harness struct {
	Valid  bool           `json:"valid"`
	Checks []HarnessCheck `json:"checks"`
	// RoomDisconnects is why the room servers' connections ended, by
	// cause, as last read from each room (a diagnostic: a room that dies
	// unread, a node lost, takes what it counted since its last read).
	RoomDisconnects map[string]int64 `json:"roomDisconnects,omitempty"`
}

// HarnessCheck is one figure the harness measured of itself, its limit and
// why the limit is where it is. Checks that could not be read on the host
// are left out, not passed.
type HarnessCheck struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	Unit  string  `json:"unit"`
	Over  bool    `json:"over"`
	Why   string  `json:"why"`
}

// Over returns the checks over their limits, each as one line.
func (h *Harness) Over() []string {
	if h == nil {
		return nil
	}
	var out []string
	for _, c := range h.Checks {
		if c.Over {
			out = append(out, fmt.Sprintf("%s %s over its limit %s (%s)", c.Name, c.format(c.Value), c.format(c.Limit), c.Why))
		}
	}
	return out
}

func (c HarnessCheck) format(v float64) string {
	switch c.Unit {
	case "fraction":
		return fmt.Sprintf("%.2f%%", 100*v)
	case "s":
		return fmt.Sprintf("%.1f ms", 1000*v)
	}
	return fmt.Sprintf("%.2f %s", v, c.Unit)
}

// Summary is one line: valid, or why not.
func (h *Harness) Summary() string {
	if h == nil {
		return "harness: not checked (a run written before the harness checked itself)"
	}
	var parts []string
	for _, c := range h.Checks {
		parts = append(parts, c.Name+" "+c.format(c.Value))
	}
	if h.Valid {
		return "harness: valid — " + strings.Join(parts, ", ")
	}
	return "INVALID: the harness or its host was the bottleneck: " + strings.Join(h.Over(), "; ")
}

// Short is the live status line's part: "harness ok", or the checks over
// their limits so far.
func (h *Harness) Short() string {
	var over []string
	for _, c := range h.Checks {
		if c.Over {
			over = append(over, c.Name+" "+c.format(c.Value))
		}
	}
	if len(over) == 0 {
		return "harness ok"
	}
	return "HARNESS OVER: " + strings.Join(over, ", ")
}

// Invalid reports whether a run is marked invalid by its harness.
func (r *Run) Invalid() bool { return r.Harness != nil && !r.Harness.Valid }
