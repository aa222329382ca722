package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/results"
)

// TestRealRunDirectory: a real run's directory (model.json,
// model-of-run.json, measured.json) is reported with the model of the
// run beside the counters, labelled as such (a directory read without
// it left that column empty and judged the run against the plain model).
func TestRealRunDirectory(t *testing.T) {
	dir := t.TempDir()
	read := func() *results.Run {
		r, err := results.ReadFile("../../reports/testdata/node-loss.model.json")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	model, ofRun, measured := read(), read(), read()
	ofRun.Calibration = &results.Calibration{}
	ofRun.Counters[results.Players] += 3
	measured.Meta.Source, measured.Meta.Provider = results.SourceMeasured, "kind"
	measured.Calibration = ofRun.Calibration
	measured.Counters[results.Players] += 5
	for name, r := range map[string]*results.Run{"model.json": model, "model-of-run.json": ofRun, "measured.json": measured} {
		if err := os.MkdirAll(filepath.Join(dir, "run"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := results.WriteFile(filepath.Join(dir, "run", name), r); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "r.html")
	var o, e bytes.Buffer
	if code := run([]string{filepath.Join(dir, "run"), "-o", out}, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if !strings.Contains(html, "node-loss · model of this run · seed") {
		t.Error("the model of the run is not labelled as such")
	}
	row := regexp.MustCompile(`<tr><td>players</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>`).FindStringSubmatch(html)
	p := model.Counters[results.Players]
	if row == nil || row[1] != fmt.Sprint(p) || row[2] != fmt.Sprint(p+3) || row[3] != fmt.Sprint(p+5) {
		t.Errorf("players row %v; want the model, the model of the run and the measurement: %d, %d, %d", row, p, p+3, p+5)
	}
}
