package scenarios

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestTraceHeaderAndRowErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, csv, err string
		rows           int
	}{
		{"header", "t_seconds,rate\n0,1\n60,2\n", "", 2},
		{"no header", "0,1\n60,2\n", "", 2},
		// A first row with one number is a typo, not a header to skip.
		{"typo in the first row", "0,1o\n60,2\n", `trace line 1: rate "1o"`, 0},
		{"typo in the first time", "O,1\n60,2\n", `trace line 1: t_seconds "O"`, 0},
		{"typo later", "t,rate\n0,1\nsixty,2\n", `trace line 3: t_seconds "sixty"`, 0},
		// Comments and blank lines count as lines: the error names the
		// line an editor shows.
		{"after a comment", "# day one\nt,rate\n\n0,1\nsixty,2\n", `trace line 5: t_seconds "sixty"`, 0},
	} {
		pts, err := parseTrace(strings.NewReader(c.csv))
		switch {
		case c.err == "" && (err != nil || len(pts) != c.rows):
			t.Errorf("%s: %d rows, %v; want %d rows", c.name, len(pts), err, c.rows)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.err)
		}
	}
}

// A trace file is user input: any bytes give points or an error with its
// row, never a panic, and accepted points are finite, ordered and capped.
func FuzzParseTrace(f *testing.F) {
	f.Add([]byte("t_seconds,rate\n0,1\n60,2.5\n"))
	f.Add([]byte("0,1\n# note\n10,x\n"))
	f.Add([]byte("\"0\",\"1\n"))
	f.Add([]byte("1e308,1e6\n1e309,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pts, err := parseTrace(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i, p := range pts {
			if math.IsNaN(p.T) || math.IsInf(p.T, 0) || p.Rate < 0 || p.Rate > maxRate || (i > 0 && p.T <= pts[i-1].T) {
				t.Fatalf("accepted row %d: %+v", i, p)
			}
		}
	})
}
