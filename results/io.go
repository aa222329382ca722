package results

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/fleetbench/fleetbench/internal/fileio"
)

// Marshal encodes a run as indented JSON (stable: maps are key-sorted),
// attaching each metric's encoded histogram from the raw ones.
func Marshal(r *Run) ([]byte, error) {
	out := *r
	out.Metrics = make(map[string]Metric, len(r.Metrics))
	for name, m := range r.Metrics {
		if h := r.Histograms[name]; h != nil && m.HDR == "" {
			enc, err := h.Encode()
			if err != nil {
				return nil, fmt.Errorf("metric %s: %w", name, err)
			}
			m.HDR = enc
		}
		out.Metrics[name] = m
	}
	data, err := json.MarshalIndent(&out, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encoding run: %w", err)
	}
	return append(data, '\n'), nil
}

// WriteFile writes a run as JSON atomically: a reader never sees a
// partial file (loadgen will flush measured runs through it too).
func WriteFile(path string, r *Run) error {
	data, err := Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return fileio.Change{Write: map[string][]byte{path: data}}.Apply()
}

// ReadFile reads a run written by WriteFile, at most MaxRunFileSize
// bytes, and validates it (Run.Validate): a bad file is an error naming
// the file and the field, never a panic or a stall further on.
func ReadFile(path string) (*Run, error) {
	data, err := fileio.ReadFile(path, MaxRunFileSize)
	if err != nil {
		return nil, fmt.Errorf("reading run: %w", err)
	}
	r, err := Unmarshal(data)
	if err != nil {
		return nil, fmt.Errorf("reading run %s: %w", path, err)
	}
	return r, nil
}

// Unmarshal decodes and validates a run.
func Unmarshal(data []byte) (*Run, error) {
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, namedEvent(data, namedCounter(data, err))
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.ModelCheck != nil {
		r.ModelCheck.judgeRecorded()
	}
	return &r, nil
}

// ReadDir reads every run under dir (model.json and measured.json files,
// at any depth: repetitions sit in subdirectories), in path order.
func ReadDir(dir string) ([]*Run, error) {
	var runs []*Run
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (d.Name() != "model.json" && d.Name() != "measured.json") {
			return nil
		}
		r, err := ReadFile(path)
		if err != nil {
			return err
		}
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading runs under %s: %w", dir, err)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("no model.json or measured.json under %s", dir)
	}
	return runs, nil
}
