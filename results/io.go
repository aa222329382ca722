package results

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	return WriteAtomic(path, data)
}

// WriteAtomic writes data to a temporary file beside path, then renames it.
func WriteAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	// CreateTemp makes the file 0600; results are for sharing.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// ReadFile reads a run written by WriteFile.
func ReadFile(path string) (*Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading run: %w", err)
	}
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading run %s: %w", path, err)
	}
	if r.Meta.Source != SourceModel && r.Meta.Source != SourceMeasured {
		return nil, fmt.Errorf("reading run %s: meta.source is %q, want %q or %q", path, r.Meta.Source, SourceModel, SourceMeasured)
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
