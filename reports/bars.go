package reports

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// barSeries is one named set of bars, a value per group.
type barSeries struct {
	Name   string
	Values []float64
}

// bars draws grouped vertical bars.
func bars(title, yLabel string, groups []string, series []barSeries) template.HTML {
	top := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			if finite(v) {
				top = math.Max(top, v)
			}
		}
	}
	if len(series) == 0 || top <= 0 {
		return template.HTML(fmt.Sprintf(`<p class="empty">%s: no data</p>`, esc(title)))
	}
	top = niceCeil(top)
	var b strings.Builder
	open(&b, title)
	x0, x1, y0, y1 := float64(padL), float64(chartW-padR), float64(chartH-padB), float64(padT)
	ya := axis{0, top}
	fmt.Fprintf(&b, `<path class="axis" d="M%.1f %.1fV%.1fH%.1f"/>`, x0, y1, y0, x1)
	for i := 0; i <= 4; i++ {
		v := top * (float64(i) / 4) // not top·i first: 3·1e308 overflows
		y := ya.scale(v, y0, y1)
		fmt.Fprintf(&b, `<path class="grid" d="M%.1f %.1fH%.1f"/><text x="%.1f" y="%.1f" class="yt">%s</text>`, x0, y, x1, x0-4, y+4, fmtNum(v))
	}
	fmt.Fprintf(&b, `<text x="12" y="%.1f" class="yl" transform="rotate(-90 12 %.1f)">%s</text>`, (y0+y1)/2, (y0+y1)/2, esc(yLabel))
	gw := (x1 - x0) / float64(len(groups))
	bw := gw * 0.8 / float64(len(series))
	for g, name := range groups {
		gx := x0 + float64(g)*gw + gw*0.1
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="xt">%s</text>`, x0+(float64(g)+0.5)*gw, y0+14, esc(name))
		for i, s := range series {
			if !finite(s.Values[g]) {
				continue
			}
			y := ya.scale(s.Values[g], y0, y1)
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s s</title></rect>`,
				gx+float64(i)*bw, y, bw*0.9, y0-y, palette[i%len(palette)], esc(s.Name), esc(name), fmtNum(s.Values[g]))
		}
	}
	for i, s := range series {
		legend(&b, i, s.Name, palette[i%len(palette)])
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

// stackRow is one horizontal bar made of consecutive parts.
type stackRow struct {
	Label string
	Parts []float64
}

// stacked draws one horizontal bar per row, its parts end to end. A row
// whose parts add up past float64 is cut off at its largest value, and
// the caption says so.
func stacked(title, xLabel string, parts []string, rows []stackRow) template.HTML {
	end, cut := 0.0, false
	for _, r := range rows {
		sum := 0.0
		for _, p := range r.Parts {
			sum = addCapped(sum, part(p))
			cut = cut || sum == math.MaxFloat64
		}
		end = math.Max(end, sum)
	}
	if end <= 0 {
		end = 1
	}
	if cut {
		title += " (a total past 1.8e308 is cut off there)"
	}
	end = niceCeil(end)
	var b strings.Builder
	open(&b, title)
	x0, x1, y0, y1 := float64(padL), float64(chartW-padR), float64(chartH-padB), float64(padT)
	xa := axis{0, end}
	fmt.Fprintf(&b, `<path class="axis" d="M%.1f %.1fV%.1fH%.1f"/>`, x0, y1, y0, x1)
	for _, t := range linearTicks(0, end) {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="xt">%s</text>`, xa.scale(t.v, x0, x1), y0+14, esc(t.label))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="xl">%s</text>`, (x0+x1)/2, chartH-2, esc(xLabel))
	h := (y0 - y1) / float64(len(rows))
	for i, r := range rows {
		x := 0.0
		for k, p := range r.Parts {
			p = part(p)
			next := addCapped(x, p)
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s s</title></rect>`,
				xa.scale(x, x0, x1), y1+float64(i)*h+h*0.15, xa.scale(next, x0, x1)-xa.scale(x, x0, x1), h*0.7,
				palette[k%len(palette)], esc(r.Label), esc(parts[k]), fmtNum(p))
			x = next
		}
	}
	for k, p := range parts {
		legend(&b, k, p, palette[k%len(palette)])
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

// part is a stacked bar's part as drawn: ≥ 0 and finite.
func part(p float64) float64 {
	if !finite(p) {
		return 0
	}
	return math.Max(p, 0)
}

// addCapped adds parts ≥ 0, stopping at the largest float64 rather than Inf.
func addCapped(a, b float64) float64 { return math.Min(a+b, math.MaxFloat64) }

// open starts a chart's figure and SVG.
func open(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<figure><figcaption>%s</figcaption><svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		esc(title), chartW, chartH, esc(title))
}

// legend writes entry i of a chart's legend, a colour swatch and a name.
func legend(b *strings.Builder, i int, name, color string) {
	x1, y1 := float64(chartW-padR), float64(padT)
	ly := y1 + 6 + float64(i)*16
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="12" height="10" fill="%s"/><text x="%.1f" y="%.1f" class="lg">%s</text>`,
		x1+12, ly-5, color, x1+30, ly+4, esc(name))
}
