package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on the free text a scenario carries: its name and versions are
// printed to the terminal and copied into every run file and report.
const (
	maxNameLen     = 256
	maxVersionLen  = 128  // an OCI image tag's limit
	maxPathLen     = 4096 // Linux's PATH_MAX
	maxHPAPolicies = 100
)

// validateText refuses free text that is too long or that holds control
// characters: a name with an escape sequence would rewrite the terminal
// it is printed to, and a newline would forge lines of output.
func (s *Scenario) validateText(e *Errors) {
	text(e, "name", s.Name, maxNameLen)
	if len(s.Timeline) <= maxEvents {
		for i, ev := range s.Timeline {
			if ev.RollingDeploy != nil {
				text(e, fmt.Sprintf("timeline[%d].rollingDeploy.version", i), ev.RollingDeploy.Version, maxVersionLen)
			}
		}
	}
	if len(s.Arrivals.Segments) <= maxSegments {
		for i, seg := range s.Arrivals.Segments {
			if seg.Trace != nil {
				text(e, fmt.Sprintf("arrivals.segments[%d].trace.file", i), seg.Trace.File, maxPathLen)
			}
		}
	}
}

// text checks one free-text field.
func text(e *Errors, path, v string, limit int) {
	if len(v) > limit {
		e.add(path, "is %d bytes long, at most %d", len(v), limit)
	}
	if i := strings.IndexFunc(v, unprintable); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v[i:])
		e.add(path, "holds the control character %U at byte %d; it would be printed raw to terminals", r, i)
	}
}

// unprintable: control characters (C0, DEL, C1) and the bidirectional
// controls that reorder what a terminal shows.
func unprintable(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// printable escapes what unprintable refuses (as Go would quote it), so
// an error that repeats a document's key or value prints it harmlessly.
func printable(s string) string {
	if strings.IndexFunc(s, unprintable) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unprintable(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
