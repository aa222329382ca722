package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/fleetbench/fleetbench/internal/fileio"
)

// maxSweepFileSize bounds a sweep.json: a point is about 600 bytes, so
// a sweep of maxSweepRuns points fits.
const maxSweepFileSize = 64 << 20

// ReadSweep reads and validates a sweep.json written by `sim sweep`: at
// most maxSweepRuns points, every figure finite and ≥ 0, each error
// naming the file and the field.
func ReadSweep(path string) (*SweepResult, error) {
	data, err := fileio.ReadFile(path, maxSweepFileSize)
	if err != nil {
		return nil, fmt.Errorf("reading sweep: %w", err)
	}
	res, err := UnmarshalSweep(data)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", path, err)
	}
	return res, nil
}

// UnmarshalSweep decodes and validates a sweep.
func UnmarshalSweep(data []byte) (*SweepResult, error) {
	var res SweepResult
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		return nil, err
	}
	switch {
	case len(res.Points) == 0:
		return nil, fmt.Errorf("no points")
	case len(res.Points) > maxSweepRuns:
		return nil, fmt.Errorf("%d points, at most %d", len(res.Points), maxSweepRuns)
	}
	for i, p := range res.Points {
		c := p.Cost
		for _, v := range []float64{p.P99, p.P50, c.NodeSeconds, c.ServerSeconds, c.IdleServerSeconds, c.Money} {
			if !(v >= 0) || math.IsInf(v, 1) {
				return nil, fmt.Errorf("points[%d]: %g: percentiles and costs must be finite numbers ≥ 0", i, v)
			}
		}
		if p.DaysMet < 0 || len(p.Set) > 64 || len(p.Verdicts) > 64 {
			return nil, fmt.Errorf("points[%d]: daysMet must be ≥ 0, set and verdicts at most 64 entries", i)
		}
	}
	return &res, nil
}

// CheckSweepWritable refuses a sweep file that ReadSweep would refuse,
// before `sim sweep` writes it as name: a command never writes a file
// its own reader (`report`) cannot read back. data is the encoded sweep.
func CheckSweepWritable(name string, data []byte) error {
	if len(data) > maxSweepFileSize {
		return fmt.Errorf("%s would be %d bytes, more than report reads (%d MiB): "+
			"fewer points (a narrower axis, a larger STEP) or fewer --reps", name, len(data), maxSweepFileSize>>20)
	}
	if _, err := UnmarshalSweep(data); err != nil {
		return fmt.Errorf("%s would not read back: %w", name, err)
	}
	return nil
}
