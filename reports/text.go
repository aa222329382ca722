package reports

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Free text in a run file (scenario names, SLO names, node names, event
// details, sweep settings) is whatever its writer put there. It reaches
// three places, each with its own hazard:
//   - the terminal (Summary): an ESC or a bidi override rewrites what the
//     user sees, so it is shown as an escape, strconv.Quote-style;
//   - the SVG charts, built by hand: characters XML 1.0 forbids (C0
//     controls, U+FFFE) make the SVG unparsable, so they become U+FFFD;
//   - the HTML around them: html/template escapes that.

// esc is text for an SVG: escaped for markup, with every character XML
// 1.0 does not allow (and every other control) replaced by U+FFFD.
func esc(s string) string {
	return template.HTMLEscapeString(strings.Map(func(r rune) rune {
		if !xmlChar(r) || (r >= 0x7f && r <= 0x9f) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD")))
}

// xmlChar is XML 1.0's Char production minus tab and newlines, which a
// chart label never needs.
func xmlChar(r rune) bool {
	return r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff
}

// Printable is s safe to print to a terminal on one line: every
// character strconv.Quote would escape (controls, ESC, bidi overrides,
// invalid UTF-8) is written as that escape; printable text, non-ASCII
// included, is left as it is.
func Printable(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r != ' ' && !strconv.IsPrint(r) })
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r == ' ' || strconv.IsPrint(r):
			b.WriteString(s[:n])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		s = s[n:]
	}
	return b.String()
}

// fmtValue is a number in a table (the template's num): %.4g, and for a
// sum that overflowed (a storm's reconnects over a series near 1e308)
// what is known of it rather than "+Inf".
func fmtValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 1):
		return fmt.Sprintf("> %.4g", math.MaxFloat64)
	case math.IsInf(v, -1):
		return fmt.Sprintf("< %.4g", -math.MaxFloat64)
	}
	return fmt.Sprintf("%.4g", v)
}
