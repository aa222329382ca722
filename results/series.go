package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// MaxPoints bounds a series whatever the run's length.
const MaxPoints = 2000

var niceSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// StepFor picks the smallest round step that keeps a run of duration d
// within MaxPoints points.
func StepFor(d time.Duration) time.Duration {
	for _, s := range niceSteps {
		if d/s <= MaxPoints {
			return s
		}
	}
	return (d/MaxPoints + time.Second).Round(time.Second)
}

// Series holds values in fixed steps: point i covers [i·Step, (i+1)·Step).
// Gauges are sampled at the end of each step; rates are averages over it.
type Series struct {
	Step   time.Duration
	Values map[string][]float64
}

// MarshalJSON writes {"step": "10s", "<name>": [...], ...} with names sorted.
func (s Series) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	step, _ := json.Marshal(s.Step.String())
	b.WriteString(`{"step":`)
	b.Write(step)
	names := make([]string, 0, len(s.Values))
	for n := range s.Values {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		key, _ := json.Marshal(n)
		vals := s.Values[n]
		if vals == nil {
			vals = []float64{}
		}
		data, err := json.Marshal(vals)
		if err != nil {
			return nil, fmt.Errorf("series %s: %w", n, err)
		}
		b.WriteByte(',')
		b.Write(key)
		b.WriteByte(':')
		b.Write(data)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the flat form written by MarshalJSON.
func (s *Series) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	s.Values = map[string][]float64{}
	for k, v := range raw {
		if k == "step" {
			var str string
			if err := json.Unmarshal(v, &str); err != nil {
				return fmt.Errorf("series.step: %w", err)
			}
			d, err := time.ParseDuration(str)
			if err != nil || d < 0 {
				return fmt.Errorf("series.step: %q is not a duration ≥ 0", str)
			}
			s.Step = d
			continue
		}
		var vals []float64
		if err := json.Unmarshal(v, &vals); err != nil {
			return fmt.Errorf("series.%s: %w", k, err)
		}
		s.Values[k] = vals
	}
	// A run without series writes a step of 0; one with series needs one.
	if s.Step == 0 && len(s.Values) > 0 {
		return fmt.Errorf("series.step: must be positive when there are series")
	}
	return nil
}
