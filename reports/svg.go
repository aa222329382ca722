package reports

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn here as inline SVG rather than with gonum/plot: its SVG
// embeds fonts and absolute sizes (large, harder to keep byte-stable for
// the golden test), while a few hundred bytes of paths do the job.

const (
	chartW, chartH = 780, 240
	padL, padR     = 56, 200
	padT, padB     = 16, 32
)

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"}

// line is one named series of (x, y) points, drawn joined or as markers;
// a NaN y is a gap.
type line struct {
	Name    string
	X, Y    []float64
	Dash    bool
	Markers bool
	Color   string // palette colour by position when empty
}

type axis struct {
	min, max float64
}

// scale maps v on the axis to [lo, hi]. Any finite values work: when the
// axis spans more than float64 holds (−1e308 to 1e308) both sides are
// halved first, and a value far off the axis (a −1 "no sample" on an axis
// up to 1e-300) is held within a chart's height of it, so a coordinate is
// never Inf or NaN.
func (a axis) scale(v, lo, hi float64) float64 {
	if a.max == a.min {
		return lo
	}
	d, span := v-a.min, a.max-a.min
	if math.IsInf(d, 0) || math.IsInf(span, 0) {
		d, span = v/2-a.min/2, a.max/2-a.min/2
	}
	t := d / span
	switch {
	case math.IsNaN(t):
		t = 0
	case t < -1:
		t = -1
	case t > 2:
		t = 2
	}
	return lo + t*(hi-lo)
}

// finite reports whether v is a number a chart can place.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// chart renders lines as an SVG with axes, ticks and a legend.
func chart(title, xLabel, yLabel string, lines []line, xTicks []tick) template.HTML {
	xa, ya := axis{min: math.Inf(1), max: math.Inf(-1)}, axis{min: 0, max: math.Inf(-1)}
	for _, l := range lines {
		for i := range l.X {
			if !finite(l.X[i]) || !finite(l.Y[i]) {
				continue // a gap: no sample there (or none a chart can place)
			}
			xa.min, xa.max = math.Min(xa.min, l.X[i]), math.Max(xa.max, l.X[i])
			ya.max = math.Max(ya.max, l.Y[i])
		}
	}
	if math.IsInf(xa.min, 0) {
		return template.HTML(fmt.Sprintf(`<p class="empty">%s: no data</p>`, esc(title)))
	}
	if ya.max <= 0 {
		ya.max = 1
	}
	ya.max = niceCeil(ya.max)
	var b strings.Builder
	open(&b, title)
	x0, x1, y0, y1 := float64(padL), float64(chartW-padR), float64(chartH-padB), float64(padT)
	fmt.Fprintf(&b, `<path class="axis" d="M%.1f %.1fV%.1fH%.1f"/>`, x0, y1, y0, x1)
	for i := 0; i <= 4; i++ {
		v := ya.max * (float64(i) / 4) // not max·i first: 3·1e308 overflows
		y := ya.scale(v, y0, y1)
		fmt.Fprintf(&b, `<path class="grid" d="M%.1f %.1fH%.1f"/><text x="%.1f" y="%.1f" class="yt">%s</text>`, x0, y, x1, x0-4, y+4, fmtNum(v))
	}
	if len(xTicks) == 0 {
		xTicks = linearTicks(xa.min, xa.max)
	} else {
		xa.min = math.Min(xa.min, xTicks[0].v)
		xa.max = math.Max(xa.max, xTicks[len(xTicks)-1].v)
	}
	for _, t := range xTicks {
		x := xa.scale(t.v, x0, x1)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="xt">%s</text>`, x, y0+14, esc(t.label))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="xl">%s</text>`, (x0+x1)/2, chartH-2, esc(xLabel))
	fmt.Fprintf(&b, `<text x="12" y="%.1f" class="yl" transform="rotate(-90 12 %.1f)">%s</text>`, (y0+y1)/2, (y0+y1)/2, esc(yLabel))
	for i, l := range lines {
		color := palette[i%len(palette)]
		if l.Color != "" {
			color = l.Color
		}
		ly := y1 + 6 + float64(i)*16
		if l.Markers {
			for k := range l.X {
				if !finite(l.X[k]) || !finite(l.Y[k]) {
					continue
				}
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`, xa.scale(l.X[k], x0, x1), ya.scale(l.Y[k], y0, y1), color)
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/><text x="%.1f" y="%.1f" class="lg">%s</text>`,
				x1+18, ly, color, x1+30, ly+4, esc(l.Name))
			continue
		}
		var d strings.Builder
		cmd := 'M'
		for k := range l.X {
			if !finite(l.X[k]) || !finite(l.Y[k]) {
				cmd = 'M' // the line breaks over a gap
				continue
			}
			fmt.Fprintf(&d, "%c%.1f %.1f", cmd, xa.scale(l.X[k], x0, x1), ya.scale(l.Y[k], y0, y1))
			cmd = 'L'
		}
		dash := ""
		if l.Dash {
			dash = ` stroke-dasharray="5 3"`
		}
		fmt.Fprintf(&b, `<path class="series" d="%s" stroke="%s"%s/>`, d.String(), color, dash)
		fmt.Fprintf(&b, `<path d="M%.1f %.1fh16" stroke="%s" stroke-width="2"%s/><text x="%.1f" y="%.1f" class="lg">%s</text>`,
			x1+10, ly, color, dash, x1+30, ly+4, esc(l.Name))
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

type tick struct {
	v     float64
	label string
}

// roundTicks places ticks at round values (1, 2 or 5 × 10ⁿ apart, and
// multiples of that) between lo and hi: at most 8, even where adding a
// step to a huge value no longer changes it.
func roundTicks(lo, hi float64) []tick {
	if !finite(lo) || !finite(hi) {
		return linearTicks(lo, hi)
	}
	if hi <= lo {
		return []tick{{lo, fmtNum(lo)}}
	}
	step := niceCeil((hi - lo) / 6)
	first := math.Ceil(lo/step-1e-9) * step
	if !(step > 0) || !finite(step) || !finite(first) {
		return linearTicks(lo, hi) // a span past float64, or too small to step
	}
	last := hi + step*1e-9
	if !finite(last) {
		last = hi
	}
	var out []tick
	for v := first; finite(v) && v <= last && len(out) < 8; v += step {
		out = append(out, tick{v, fmtNum(v)})
	}
	return out
}

// linearTicks divides [lo, hi] in six, in halves when hi−lo overflows.
func linearTicks(lo, hi float64) []tick {
	if !finite(lo) || !finite(hi) {
		return []tick{{0, "0"}}
	}
	var out []tick
	for i := 0; i <= 6; i++ {
		v := lo + (hi-lo)*float64(i)/6
		if !finite(v) {
			t := float64(i) / 6
			v = lo*(1-t) + hi*t
		}
		out = append(out, tick{v, fmtNum(v)})
	}
	return out
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten; v itself where
// that is past float64 (v near 1.8e308) or below it (subnormal v, whose
// power of ten underflows to 0).
func niceCeil(v float64) float64 {
	if !(v > 0) || !finite(v) {
		return v
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if c := m * p; v <= c && finite(c) {
			return c
		}
	}
	return v
}

// fmtNum is a tick or tooltip label: short, never "NaN" or "Inf".
func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 0):
		return fmtValue(v)
	case a == 0:
		return "0"
	case a >= 1e9:
		return fmt.Sprintf("%.3g", v) // 1e+308, not 1e+302M
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.3gk", v/1e3)
	case a >= 10:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
