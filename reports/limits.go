package reports

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// What one report holds and renders, so that `report` stays within
// 1 GiB whatever it is given. A report keeps every run in memory and
// renders each (charts of up to 13 series of 2 000 points, its tables);
// memory grows with the runs, with their bytes (scale-ups decode to 4.6
// times their JSON) and with the HTML (escaping makes "<" four bytes).
// Measured with go build -o /tmp/report ./cmd/report; /usr/bin/time -v:
//   - 100 copies of testdata/node-loss.model.json (148 KB each): 177 MB;
//   - 200 runs of 13 random 2 000-point series (97 MB): 401 MB, 63 MB HTML;
//   - 56 MB of scale-ups (4 files of 1 000 000): 584 MB;
//   - 59 MB, one run of 10 000 events of 3 000 "<" rendering 125 MB of
//     HTML: 734 MB; 62 MB whose HTML passes MaxHTMLBytes, refused: 764 MB.
const (
	// MaxRuns is the runs one report holds.
	MaxRuns = 200
	// MaxRunBytes is the run files' total size one report reads: twice
	// the largest run file (results.MaxRunFileSize).
	MaxRunBytes = 64 << 20
	// MaxHTMLBytes is the HTML one report writes (200 runs of full series
	// write 63 MB).
	MaxHTMLBytes = 128 << 20
)

// Within one run, what is listed or drawn past these is counted, not
// shown: a run file within its own caps (1 000 000 scale-ups, 100 000
// events) would otherwise render to hundreds of MB of HTML.
const (
	// maxTableRows is a table's rows (events, scale-ups, storms): a
	// scenario's timeline has at most 10 000 entries, so a model run's is
	// never cut.
	maxTableRows = 10_000
	// maxStackRows is the bars of the scale-up chart: 100 in its 192
	// pixels are already two pixels each.
	maxStackRows = 100
	// maxStormCharts is the storms drawn, each its own chart.
	maxStormCharts = 50
	// maxLabel is the bytes of a run's name (scenario, provider) shown in
	// its headings; a longer one is cut with "…".
	maxLabel = 200
)

// ErrTooLarge is wrapped by the errors of CheckInputs, RunFiles and HTML
// for a report past its bounds: the input's fault (exit 2), not a failure.
var ErrTooLarge = errors.New("too much for one report")

// CheckInputs checks the runs a report is about to read, before it reads
// them: their number and the total size of their files. The error names
// the bound and what to do instead.
func CheckInputs(runs int, bytes int64) error {
	if runs > MaxRuns {
		return fmt.Errorf("%d runs: a report holds at most %d (%w); report fewer runs, or keep one directory per scenario and report each",
			runs, MaxRuns, ErrTooLarge)
	}
	if bytes > MaxRunBytes {
		return fmt.Errorf("%.1f MiB of run files: a report reads at most %d MiB (%w); report fewer runs, or keep one directory per scenario and report each",
			float64(bytes)/(1<<20), MaxRunBytes>>20, ErrTooLarge)
	}
	return nil
}

// RunFiles lists the run files under dir (model.json, measured.json and
// a real run's model-of-run.json, at any depth, in path order) with their
// total size, without reading them: a caller checks the whole report
// with CheckInputs first. It stops as soon as dir alone is past a bound.
func RunFiles(dir string) (paths []string, bytes int64, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isRunFile(d.Name()) {
			return nil
		}
		st, err := os.Stat(path) // the size of what a symlink names, as ReadFile reads it
		if err != nil {
			return err
		}
		paths, bytes = append(paths, path), bytes+st.Size()
		return CheckInputs(len(paths), bytes)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("runs under %s: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, 0, fmt.Errorf("no model.json, measured.json or model-of-run.json under %s", dir)
	}
	return paths, bytes, nil
}

// isRunFile names the files RunFiles lists: without model-of-run.json a
// real run's directory was set beside the plain model only, and its
// counters had no "model of this run".
func isRunFile(name string) bool {
	switch name {
	case "model.json", "measured.json", "model-of-run.json":
		return true
	}
	return false
}

// firstN is xs cut to n, and how many were cut.
func firstN[T any](xs []T, n int) ([]T, int) {
	if len(xs) <= n {
		return xs, 0
	}
	return xs[:n], len(xs) - n
}

// short is s cut to at most n bytes on a rune boundary, "…" marking a cut.
func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// cappedWriter fails a write that would take the output past its bound.
type cappedWriter struct {
	w    io.Writer
	left int64
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, fmt.Errorf("the report would pass %d MiB of HTML (%w); report fewer runs, or keep one directory per scenario and report each",
			MaxHTMLBytes>>20, ErrTooLarge)
	}
	c.left -= int64(len(p))
	return c.w.Write(p)
}
