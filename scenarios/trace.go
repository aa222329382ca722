package scenarios

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fleetbench/fleetbench/internal/fileio"
)

// maxTraceRows bounds a trace file so a wrong path cannot eat memory.
const (
	maxTraceRows = 1_000_000
	maxTraceSize = 16 << 20 // bytes: a million rows of two short numbers
)

// loadTraces reads every trace segment's CSV, relative to the scenario's
// directory, reporting each unreadable file or bad row with its path.
func (s *Scenario) loadTraces() Errors {
	var errs Errors
	for i, seg := range s.Arrivals.Segments {
		if seg.Trace == nil || seg.Trace.File == "" {
			continue
		}
		path := fmt.Sprintf("arrivals.segments[%d].trace.file", i)
		file := seg.Trace.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(s.dir, file)
		}
		pts, err := readTrace(file)
		if err != nil {
			errs.add(path, "%v", err)
			continue
		}
		if s.traces == nil {
			s.traces = map[int][]TracePoint{}
		}
		s.traces[i] = pts
	}
	return errs
}

func readTrace(file string) ([]TracePoint, error) {
	f, err := fileio.Open(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read trace: %w", err)
	}
	defer f.Close()
	return parseTrace(fileio.Limit(f, maxTraceSize, file))
}

// parseTrace reads `t_seconds,rate` rows; a first row with no number in
// either column is taken as a header. Times must increase and rates be finite and ≥ 0.
func parseTrace(r io.Reader) ([]TracePoint, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 2
	cr.Comment = '#'
	var pts []TracePoint
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("trace: %w", err)
		}
		// Comments and blank lines are skipped: name the file's line,
		// not the record's count.
		line, _ := cr.FieldPos(0)
		t, errT := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64)
		v, errV := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if row == 1 && errT != nil && errV != nil {
			continue // a header names both columns; a row with one number is a typo
		}
		switch {
		case errT != nil || math.IsNaN(t) || math.IsInf(t, 0) || t < 0:
			return nil, fmt.Errorf("trace line %d: t_seconds %q must be a finite number ≥ 0", line, rec[0])
		case errV != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > maxRate:
			return nil, fmt.Errorf("trace line %d: rate %q must be a number from 0 to %g", line, rec[1], float64(maxRate))
		case len(pts) > 0 && t <= pts[len(pts)-1].T:
			return nil, fmt.Errorf("trace line %d: t_seconds %g must be greater than the previous row's", line, t)
		case len(pts) >= maxTraceRows:
			return nil, fmt.Errorf("trace: more than %d rows", maxTraceRows)
		}
		pts = append(pts, TracePoint{T: t, Rate: v})
	}
	if len(pts) == 0 {
		return nil, errors.New("trace: no rows")
	}
	return pts, nil
}
