package reports

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/results"
)

func TestCheckInputsNamesTheBound(t *testing.T) {
	if err := CheckInputs(MaxRuns, MaxRunBytes); err != nil {
		t.Errorf("at the bounds: %v", err)
	}
	for _, c := range []struct {
		runs  int
		bytes int64
		says  string
	}{
		{MaxRuns + 1, 0, "201 runs: a report holds at most 200"},
		{1, MaxRunBytes + 1, "a report reads at most 64 MiB"},
	} {
		err := CheckInputs(c.runs, c.bytes)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "one directory per scenario") {
			t.Errorf("CheckInputs(%d, %d) = %v, want ErrTooLarge saying %q and what to do", c.runs, c.bytes, err, c.says)
		}
	}
}

// RunFiles lists the run files a real run writes (the model of the run
// too), sizes included, and stops at the bound without reading a file.
func TestRunFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, size int) {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/model.json", 10)
	write("a/measured.json", 20)
	write("a/model-of-run.json", 5)
	write("b/c/model.json", 30)
	write("b/notes.json", 1000)
	paths, size, err := RunFiles(dir)
	want := []string{filepath.Join(dir, "a/measured.json"), filepath.Join(dir, "a/model-of-run.json"), filepath.Join(dir, "a/model.json"), filepath.Join(dir, "b/c/model.json")}
	if err != nil || size != 65 || fmt.Sprint(paths) != fmt.Sprint(want) {
		t.Errorf("RunFiles = %v, %d, %v; want %v, 65", paths, size, err, want)
	}
	if _, _, err := RunFiles(filepath.Join(dir, "b/notes.json")); err == nil {
		t.Error("a file without runs gave no error")
	}
	empty := t.TempDir()
	if _, _, err := RunFiles(empty); err == nil || !strings.Contains(err.Error(), "no model.json, measured.json or model-of-run.json") {
		t.Errorf("an empty directory: %v", err)
	}
	for i := range MaxRuns {
		write(fmt.Sprintf("many/%03d/model.json", i), 0)
	}
	if _, _, err := RunFiles(filepath.Join(dir, "many")); err != nil {
		t.Errorf("%d runs: %v", MaxRuns, err)
	}
	write("many/zzz/measured.json", 0)
	if _, _, err := RunFiles(filepath.Join(dir, "many")); !errors.Is(err, ErrTooLarge) {
		t.Errorf("%d runs: %v, want ErrTooLarge", MaxRuns+1, err)
	}
}

// HTML bounds what it renders whoever calls it: the runs, each table's
// rows, the scale-up bars, the storm charts and the bytes written.
func TestHTMLBoundsWhatItRenders(t *testing.T) {
	run, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := HTML(&bytes.Buffer{}, Input{Runs: make([]*results.Run, MaxRuns+1)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("%d runs rendered: %v", MaxRuns+1, err)
	}
	n := maxTableRows + 7
	run.ScaleUps = make([]results.ScaleUp, n)
	run.Events = nil
	for i := range n {
		run.ScaleUps[i] = results.ScaleUp{Node: fmt.Sprintf("kwok-%d", i), Created: 1}
		run.Events = append(run.Events, results.Event{At: results.Offset(time.Duration(i) * time.Millisecond), Kind: "nodeLoss", Detail: "x"})
	}
	run.Meta.Scenario = strings.Repeat("é", 1000)
	var b bytes.Buffer
	if err := HTML(&b, Input{Runs: []*results.Run{run}}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{"7 more nodes in the run file, not listed", "7 more events in the run file, not listed",
		"7 more disruptions, not listed", fmt.Sprintf("the first %d of %d", maxStackRows, n), strings.Repeat("é", 100) + "…"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %.80q", want)
		}
	}
	// Each bar names its node in each of its 6 stages' tooltips.
	if got := strings.Count(html, "kwok-"); got != maxTableRows+6*maxStackRows {
		t.Errorf("%d node names shown, want %d in the table and %d bars", got, maxTableRows, maxStackRows)
	}
	if got := strings.Count(html, "<figcaption>Reconnects around"); got != maxStormCharts {
		t.Errorf("%d storm charts, want %d", got, maxStormCharts)
	}
	if strings.Contains(html, strings.Repeat("é", 101)) {
		t.Error("a 1000-character scenario name is shown whole")
	}
	w := &cappedWriter{w: &b, left: 5}
	if _, err := w.Write([]byte("12345")); err != nil {
		t.Errorf("a write within the bound: %v", err)
	}
	if _, err := w.Write([]byte("6")); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "128 MiB of HTML") {
		t.Errorf("a write past the bound: %v", err)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"node-loss":             "node-loss",
		"ünïcode · 名前 −":        "ünïcode · 名前 −",
		"a\x1b[2Jb":             `a\x1b[2Jb`,
		"line\nbreak\ttab\r":    `line\nbreak\ttab\r`,
		"\u202egnp.exe":         `\u202egnp.exe`,
		"bad\xffbyte\x00\u0085": `bad\xffbyte\x00\u0085`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// Summary prints what a run file says without a control character: a
// scenario name cannot clear the screen or reorder the line.
func TestSummaryEscapesControls(t *testing.T) {
	run, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	run.Meta.Scenario, run.Meta.Incomplete, run.Meta.NotMeasured = "x\x1b[2J\u202e", "stopped\r\x07", "nodes\u009b"
	run.Verdicts[0].SLO = "slo\x00"
	var b bytes.Buffer
	Summary(&b, run)
	out := b.String()
	for _, r := range out {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || r == '\u202e' {
			t.Errorf("summary has %U:\n%s", r, out)
		}
	}
	for _, want := range []string{`x\x1b[2J\u202e (model`, `INCOMPLETE: stopped\r\a`, `nodes\u009b`, `slo\x00`} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %s:\n%s", want, out)
		}
	}
}
