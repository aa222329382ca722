package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.html")
	var o, e bytes.Buffer
	code := run([]string{"../../reports/testdata/node-loss.model.json", "../../reports/testdata/small.sweep.json", "-o", out,
		"--scenario", "../../scenarios/node-loss.yaml", "--title", "mine"}, &o, &e)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>mine</title>", "node-loss · model", "Sweep frontier", "kind: Scenario"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, bad := range [][]string{{}, {"-o", out}, {"nope.json", "-o", out}, {"../../go.mod", "-o", out}} {
		e.Reset()
		if code := run(bad, &o, &e); code != 2 || e.Len() == 0 {
			t.Errorf("report %v: exit %d, stderr %q; want 2 with a reason", bad, code, e.String())
		}
	}
}
