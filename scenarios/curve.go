package scenarios

import (
	"math"
	"sort"
)

// Curve is the arrival rate λ(t) in players/s over the scenario, compiled
// from the segments into pieces that each know an upper bound of their
// rate (what Poisson thinning needs).
type Curve struct {
	Pieces []Piece
}

// Piece is one segment placed on the scenario clock, [Start, End) seconds.
type Piece struct {
	Start, End float64
	Max        float64 // λ(t) ≤ Max on the piece

	shape  pieceShape
	a, b   float64 // constant: a; linear: a→b; sine: mean a, amplitude b; burst: base a, extra b
	c, d   float64 // sine: period c, phase d; burst: at c, width d (relative to Start)
	points []TracePoint
}

type pieceShape uint8

const (
	shapeConstant pieceShape = iota
	shapeLinear
	shapeSine
	shapeBurst
	shapeTrace
)

// Curve compiles the arrival segments. Segments past the scenario's end
// are dropped; an open-ended one runs to the end.
func (s *Scenario) Curve() Curve {
	end := s.Duration.Seconds()
	var c Curve
	t, prevEnd := 0.0, 0.0
	for i, seg := range s.Arrivals.Segments {
		if t >= end {
			break
		}
		p := Piece{Start: t, End: end}
		if seg.For != nil {
			p.End = math.Min(end, t+seg.For.Seconds())
		}
		switch {
		case seg.Constant != nil:
			p.a, p.Max = seg.Constant.Rate, seg.Constant.Rate
		case seg.Step != nil:
			p.a, p.Max = seg.Step.Rate, seg.Step.Rate
		case seg.Linear != nil:
			p.shape, p.a, p.b = shapeLinear, seg.Linear.From, seg.Linear.To
			p.Max = math.Max(p.a, p.b)
		case seg.Sine != nil:
			p.shape, p.a, p.b = shapeSine, seg.Sine.Mean, seg.Sine.Amplitude
			p.c, p.d = seg.Sine.Period.Seconds(), seg.Sine.Phase.Seconds()
			p.Max = p.a + p.b
		case seg.Burst != nil:
			p.shape, p.a, p.b = shapeBurst, prevEnd, seg.Burst.Extra
			p.c, p.d = seg.Burst.At.Seconds(), seg.Burst.Width.Seconds()
			p.Max = p.a + p.b
		case seg.Trace != nil:
			p.shape, p.points = shapeTrace, s.traces[i]
			for _, pt := range p.points {
				p.Max = math.Max(p.Max, pt.Rate)
			}
		}
		c.Pieces = append(c.Pieces, p)
		prevEnd = p.Rate(math.Nextafter(p.End, p.Start))
		t = p.End
	}
	return c
}

// Rate is λ(t) for t inside the piece.
func (p *Piece) Rate(t float64) float64 {
	switch p.shape {
	case shapeLinear:
		if p.End <= p.Start {
			return p.a
		}
		return p.a + (p.b-p.a)*(t-p.Start)/(p.End-p.Start)
	case shapeSine:
		return math.Max(0, p.a+p.b*math.Sin(2*math.Pi*(t+p.d)/p.c))
	case shapeBurst:
		if r := t - p.Start; r >= p.c && r < p.c+p.d {
			return p.a + p.b
		}
		return p.a
	case shapeTrace:
		return traceRate(p.points, t-p.Start)
	}
	return p.a
}

// Rate is λ(t); 0 outside the curve.
func (c Curve) Rate(t float64) float64 {
	i := sort.Search(len(c.Pieces), func(i int) bool { return c.Pieces[i].End > t })
	if i == len(c.Pieces) || t < c.Pieces[i].Start {
		return 0
	}
	return c.Pieces[i].Rate(t)
}

// Peak is the highest rate reached, found on a fine grid plus every
// piece's edges (exact for piecewise-linear curves).
func (c Curve) Peak() float64 {
	peak := 0.0
	for i := range c.Pieces {
		p := &c.Pieces[i]
		const steps = 2000
		for k := 0; k <= steps; k++ {
			t := p.Start + (p.End-p.Start)*float64(k)/steps
			if k == steps {
				t = math.Nextafter(p.End, p.Start)
			}
			peak = math.Max(peak, p.Rate(t))
		}
		if p.shape == shapeBurst {
			peak = math.Max(peak, p.a+p.b)
		}
		for _, pt := range p.points {
			if pt.T < p.End-p.Start {
				peak = math.Max(peak, pt.Rate)
			}
		}
	}
	return peak
}

// traceRate interpolates linearly between rows and holds the last value.
func traceRate(pts []TracePoint, t float64) float64 {
	if len(pts) == 0 {
		return 0
	}
	i := sort.Search(len(pts), func(i int) bool { return pts[i].T > t })
	switch {
	case i == 0:
		return pts[0].Rate
	case i == len(pts):
		return pts[len(pts)-1].Rate
	}
	a, b := pts[i-1], pts[i]
	return a.Rate + (b.Rate-a.Rate)*(t-a.T)/(b.T-a.T)
}

// Arrivals is the expected number of arrivals, ∫λ(t)dt over the curve: a
// midpoint sum on a fine grid per piece, exact for constants and bursts.
func (c Curve) Arrivals() float64 {
	total := 0.0
	for i := range c.Pieces {
		p := &c.Pieces[i]
		length := p.End - p.Start
		switch p.shape {
		case shapeConstant:
			total += p.a * length
		case shapeBurst:
			width := math.Max(0, math.Min(p.c+p.d, length)-p.c)
			total += p.a*length + p.b*width
		default:
			const steps = 4000
			sum := 0.0
			for k := range steps {
				sum += p.Rate(p.Start + length*(float64(k)+0.5)/steps)
			}
			total += sum * length / steps
		}
	}
	return total
}
