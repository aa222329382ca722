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

func (a axis) scale(v, lo, hi float64) float64 {
	if a.max == a.min {
		return lo
	}
	return lo + (v-a.min)/(a.max-a.min)*(hi-lo)
}

// chart renders lines as an SVG with axes, ticks and a legend.
func chart(title, xLabel, yLabel string, lines []line, xTicks []tick) template.HTML {
	xa, ya := axis{min: math.Inf(1), max: math.Inf(-1)}, axis{min: 0, max: math.Inf(-1)}
	for _, l := range lines {
		for i := range l.X {
			if math.IsNaN(l.Y[i]) {
				continue // a gap: no sample there
			}
			xa.min, xa.max = math.Min(xa.min, l.X[i]), math.Max(xa.max, l.X[i])
			ya.max = math.Max(ya.max, l.Y[i])
		}
	}
	if math.IsInf(xa.min, 0) {
		return template.HTML(fmt.Sprintf(`<p class="empty">%s: no data</p>`, template.HTMLEscapeString(title)))
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
		v := ya.max * float64(i) / 4
		y := ya.scale(v, y0, y1)
		fmt.Fprintf(&b, `<path class="grid" d="M%.1f %.1fH%.1f"/><text x="%.1f" y="%.1f" class="yt">%s</text>`, x0, y, x1, x0-4, y+4, fmtNum(v))
	}
	if xTicks == nil {
		xTicks = linearTicks(xa.min, xa.max)
	} else {
		xa.min = math.Min(xa.min, xTicks[0].v)
		xa.max = math.Max(xa.max, xTicks[len(xTicks)-1].v)
	}
	for _, t := range xTicks {
		x := xa.scale(t.v, x0, x1)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="xt">%s</text>`, x, y0+14, template.HTMLEscapeString(t.label))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="xl">%s</text>`, (x0+x1)/2, chartH-2, template.HTMLEscapeString(xLabel))
	fmt.Fprintf(&b, `<text x="12" y="%.1f" class="yl" transform="rotate(-90 12 %.1f)">%s</text>`, (y0+y1)/2, (y0+y1)/2, template.HTMLEscapeString(yLabel))
	for i, l := range lines {
		color := palette[i%len(palette)]
		if l.Color != "" {
			color = l.Color
		}
		ly := y1 + 6 + float64(i)*16
		if l.Markers {
			for k := range l.X {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`, xa.scale(l.X[k], x0, x1), ya.scale(l.Y[k], y0, y1), color)
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/><text x="%.1f" y="%.1f" class="lg">%s</text>`,
				x1+18, ly, color, x1+30, ly+4, template.HTMLEscapeString(l.Name))
			continue
		}
		var d strings.Builder
		cmd := 'M'
		for k := range l.X {
			if math.IsNaN(l.Y[k]) {
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
			x1+10, ly, color, dash, x1+30, ly+4, template.HTMLEscapeString(l.Name))
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

type tick struct {
	v     float64
	label string
}

// roundTicks places ticks at round values (1, 2 or 5 × 10ⁿ apart, and
// multiples of that) between lo and hi.
func roundTicks(lo, hi float64) []tick {
	if hi <= lo {
		return []tick{{lo, fmtNum(lo)}}
	}
	step := niceCeil((hi - lo) / 6)
	var out []tick
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+step*1e-9; v += step {
		out = append(out, tick{v, fmtNum(v)})
	}
	return out
}

func linearTicks(lo, hi float64) []tick {
	var out []tick
	for i := 0; i <= 6; i++ {
		v := lo + (hi-lo)*float64(i)/6
		out = append(out, tick{v, fmtNum(v)})
	}
	return out
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.3gk", v/1e3)
	case a >= 10:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
