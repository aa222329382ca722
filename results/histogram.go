package results

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram records latencies in seconds with microsecond resolution and
// three significant digits, up to a week. Not goroutine-safe (as hdr's).
type Histogram struct {
	h *hdr.Histogram
}

const (
	unitsPerSecond = 1e6
	maxMicros      = 7 * 24 * 3600 * unitsPerSecond
)

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{h: hdr.New(1, maxMicros, 3)}
}

// Record adds one value in seconds; values outside [0, a week] are clamped.
func (h *Histogram) Record(seconds float64) {
	v := int64(math.Round(seconds * unitsPerSecond))
	v = min(max(v, 0), maxMicros)
	_ = h.h.RecordValue(v) // cannot fail once clamped
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 { return h.h.TotalCount() }

// Reset empties the histogram.
func (h *Histogram) Reset() { h.h.Reset() }

// Merge adds another histogram's values.
func (h *Histogram) Merge(o *Histogram) { h.h.Merge(o.h) }

// Quantile returns the value at q in [0, 1], in seconds.
func (h *Histogram) Quantile(q float64) float64 {
	return float64(h.h.ValueAtQuantile(q*100)) / unitsPerSecond
}

// Metric summarizes the histogram. The encoded histogram is attached
// only when the run is written (see Marshal): encoding costs more than a
// small model run, and sweeps never need it.
func (h *Histogram) Metric() Metric {
	m := Metric{Count: h.Count()}
	if m.Count == 0 {
		return m
	}
	m.Mean = round6(h.h.Mean() / unitsPerSecond)
	m.Min = float64(h.h.Min()) / unitsPerSecond
	m.Max = float64(h.h.Max()) / unitsPerSecond
	m.P50, m.P90, m.P95 = h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0.95)
	m.P99, m.P999 = h.Quantile(0.99), h.Quantile(0.999)
	return m
}

// Encode returns the histogram in HdrHistogram's compressed V2 form
// (base64, "HISTF…"), readable by every HdrHistogram implementation.
func (h *Histogram) Encode() (string, error) {
	enc, err := h.h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encoding histogram: %w", err)
	}
	return string(enc), nil
}

// Metric is a latency summary in seconds.
type Metric struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	HDR   string  `json:"hdr,omitempty"`
}

// Histogram decodes the attached histogram, once its header shows the
// geometry NewHistogram makes.
func (m Metric) Histogram() (*Histogram, error) {
	if m.HDR == "" {
		return NewHistogram(), nil
	}
	if err := checkGeometry(m.HDR); err != nil {
		return nil, fmt.Errorf("decoding histogram: %w", err)
	}
	h, err := hdr.Decode([]byte(m.HDR))
	if err != nil {
		return nil, fmt.Errorf("decoding histogram: %w", err)
	}
	return &Histogram{h: h}, nil
}

// Percentile returns the named percentile ("p99") of the summary.
func (m Metric) Percentile(name string) (float64, bool) {
	switch name {
	case "p50":
		return m.P50, true
	case "p90":
		return m.P90, true
	case "p95":
		return m.P95, true
	case "p99":
		return m.P99, true
	case "p999":
		return m.P999, true
	}
	return 0, false
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// maxEncoded bounds an encoded histogram: fleetbench's geometry
// compresses to a few kilobytes even with every bucket filled.
const maxEncoded = 1 << 20

// checkGeometry reads an encoded histogram's header (V2 compressed: a
// cookie and length, then zlib holding a 40-byte header) and refuses any
// geometry but NewHistogram's: hdr.Decode allocates the counts array a
// header asks for, and a few bytes can ask for gigabytes.
func checkGeometry(encoded string) error {
	if len(encoded) > maxEncoded {
		return fmt.Errorf("%d bytes of base64, more than %d", len(encoded), maxEncoded)
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return fmt.Errorf("not base64: %w", err)
	}
	if len(raw) < 8 {
		return fmt.Errorf("%d bytes, too short for a header", len(raw))
	}
	z, err := zlib.NewReader(bytes.NewReader(raw[8:]))
	if err != nil {
		return fmt.Errorf("not zlib after the cookie: %w", err)
	}
	defer z.Close()
	var header struct {
		Cookie, PayloadLength, NormalizingOffset, Digits int32
		Lowest, Highest                                  int64
		Ratio                                            float64
	}
	if err := binary.Read(z, binary.BigEndian, &header); err != nil {
		return fmt.Errorf("reading the header: %w", err)
	}
	if header.Lowest != 1 || header.Highest != maxMicros || header.Digits != 3 {
		return fmt.Errorf("geometry (lowest %d, highest %d, %d digits) is not fleetbench's (1, %d, 3)",
			header.Lowest, header.Highest, header.Digits, int64(maxMicros))
	}
	return nil
}
