package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Structural caps on a run file, checked before anything reads it further.
const (
	// MaxRunFileSize bounds a run file (the largest written are a few MB).
	MaxRunFileSize = 32 << 20
	maxSeries      = 64      // series in one run
	maxEvents      = 100_000 // timeline entries as they happened
	maxScaleUps    = 1_000_000
	maxQuantiles   = 1_000 // points of a calibrated overhead's distribution
	maxMetrics     = 64
	maxCounters    = 256
	maxVerdicts    = 1_000 // a scenario's SLOs give a dozen
)

// MaxCounter bounds a counter in a run file: 2⁵³, the largest count
// float64 holds exactly. Past it a ratio (failures / allocations) is
// computed on rounded counts, JavaScript and jq read the JSON rounded,
// and a sum of two counters (allocations + failures, pooled runs) nears
// int64's end and wraps negative. No run comes near: a million players a
// second for a century is 3·10¹⁵.
const MaxCounter = 1 << 53

// Validate checks a run read from a file: counts and costs are never
// negative, every latency is finite and ≥ 0 with ordered percentiles,
// series and lists within their caps, and each encoded histogram has the
// geometry fleetbench writes (checked before it is decoded: a foreign
// geometry can ask for gigabytes). The error names the field.
func (r *Run) Validate() error {
	if r.Meta.Source != SourceModel && r.Meta.Source != SourceMeasured {
		return fmt.Errorf("meta.source is %q, want %q or %q", r.Meta.Source, SourceModel, SourceMeasured)
	}
	if !(r.Meta.Speedup >= 0) || math.IsInf(r.Meta.Speedup, 0) || r.Meta.Replications < 0 {
		return fmt.Errorf("meta: speedup %g and replications %d must be ≥ 0", r.Meta.Speedup, r.Meta.Replications)
	}
	if len(r.Metrics) > maxMetrics || len(r.Counters) > maxCounters || len(r.Series.Values) > maxSeries ||
		len(r.Events) > maxEvents || len(r.ScaleUps) > maxScaleUps {
		return fmt.Errorf("more metrics (%d), counters (%d), series (%d), events (%d) or scaleUps (%d) than a run holds (%d, %d, %d, %d, %d)",
			len(r.Metrics), len(r.Counters), len(r.Series.Values), len(r.Events), len(r.ScaleUps),
			maxMetrics, maxCounters, maxSeries, maxEvents, maxScaleUps)
	}
	if len(r.Verdicts) > maxVerdicts {
		return fmt.Errorf("%d verdicts, more than a run holds (%d)", len(r.Verdicts), maxVerdicts)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Counters)) {
		if c := r.Counters[name]; c < 0 || c > MaxCounter {
			return fmt.Errorf("counters.%s is %d, must be ≥ 0 and at most 2^53 (%d)", name, c, int64(MaxCounter))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Metrics)) {
		if err := r.Metrics[name].validate(); err != nil {
			return fmt.Errorf("metrics.%s: %w", name, err)
		}
	}
	if err := r.Series.validate(); err != nil {
		return err
	}
	c := r.Cost
	for _, f := range []struct {
		name string
		v    float64
	}{{"node_seconds", c.NodeSeconds}, {"server_seconds", c.ServerSeconds}, {"idle_server_seconds", c.IdleServerSeconds}, {"money", c.Money}} {
		if !nonNegative(f.v) {
			return fmt.Errorf("cost.%s is %g, must be a finite number ≥ 0", f.name, f.v)
		}
	}
	for i, u := range r.ScaleUps {
		if !nonNegative(u.Nominated) || !nonNegative(u.Started) || !nonNegative(u.Created) || !nonNegative(u.Ready) || !nonNegative(u.PodRunning) || !nonNegative(u.RoomReady) {
			return fmt.Errorf("scaleUps[%d]: every stage must be a finite number of seconds ≥ 0", i)
		}
	}
	if r.Calibration != nil {
		return r.Calibration.validate()
	}
	return nil
}

func (m Metric) validate() error {
	if m.Count < 0 {
		return fmt.Errorf("count is %d, must be ≥ 0", m.Count)
	}
	vals := []float64{m.Min, m.P50, m.P90, m.P95, m.P99, m.P999, m.Max}
	for _, v := range append(vals, m.Mean) {
		if !nonNegative(v) {
			return fmt.Errorf("%g is not a finite number of seconds ≥ 0", v)
		}
	}
	if !slices.IsSorted(vals) {
		return fmt.Errorf("min ≤ p50 ≤ p90 ≤ p95 ≤ p99 ≤ p999 ≤ max does not hold: %v", vals)
	}
	if m.HDR == "" {
		return nil
	}
	if err := checkGeometry(m.HDR); err != nil {
		return fmt.Errorf("hdr: %w", err)
	}
	return nil
}

func (s Series) validate() error {
	for _, name := range slices.Sorted(maps.Keys(s.Values)) {
		vals := s.Values[name]
		if len(vals) > MaxPoints {
			return fmt.Errorf("series.%s has %d points, at most %d", name, len(vals), MaxPoints)
		}
		for i, v := range vals {
			// -1 is a percentile series' step without a sample.
			if !nonNegative(v) && v != -1 {
				return fmt.Errorf("series.%s[%d] is %g, must be a finite number ≥ 0 (or -1: no sample)", name, i, v)
			}
		}
	}
	return nil
}

func (c *Calibration) validate() error {
	for _, f := range []struct {
		name string
		o    Overhead
	}{{"podStart", c.PodStart}, {"allocate", c.Allocate}, {"join", c.Join}, {"reconnect", c.Reconnect}, {"rejoin", c.Rejoin}, {"nodeReady", c.NodeReady}} {
		name, o := f.name, f.o
		if !nonNegative(o.Seconds) || !nonNegative(o.Wall) || o.Samples < 0 || len(o.Quantiles) > maxQuantiles {
			return fmt.Errorf("calibration.%s: seconds, wall and samples must be ≥ 0, quantiles at most %d", name, maxQuantiles)
		}
		for i, q := range o.Quantiles {
			if !nonNegative(q) || (i > 0 && q < o.Quantiles[i-1]) {
				return fmt.Errorf("calibration.%s.quantiles[%d] is %g: must be ≥ 0 and not below the one before", name, i, q)
			}
		}
	}
	return nil
}

func nonNegative(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }

// namedCounter names the counter behind a decoding error that
// encoding/json reports only as "Run.counters" (a count past int64, or
// not an integer), for Unmarshal to return instead of err.
func namedCounter(data []byte, err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field != "counters" {
		return err
	}
	var raw struct {
		Counters map[string]json.Number `json:"counters"`
	}
	if json.Unmarshal(data, &raw) != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(raw.Counters)) {
		if _, perr := raw.Counters[name].Int64(); perr != nil {
			return fmt.Errorf("counters.%s is %s, must be an integer ≥ 0 and at most 2^53 (%d): %w", name, raw.Counters[name], int64(MaxCounter), err)
		}
	}
	return err
}
