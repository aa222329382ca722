package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/internal/cli"
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
	// Never replace an input: a run file, the scenario, a run file in a directory read.
	in := filepath.Join(dir, "runs", "model.json")
	b, err = os.ReadFile("../../reports/testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sc := filepath.Join(dir, "sc.yaml")
	if err := os.WriteFile(sc, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{in, "-o", in}, {filepath.Dir(in), "-o", in}, {in, "--scenario", sc, "-o", sc}} {
		e.Reset()
		if code := run(bad, &o, &e); code != 2 || !strings.Contains(e.String(), "would replace the input") {
			t.Errorf("report %v: exit %d, stderr %q; want 2, refusing to replace an input", bad, code, e.String())
		}
	}
	if after, _ := os.ReadFile(in); !bytes.Equal(after, b) {
		t.Error("the input run file was changed")
	}
	for _, bad := range [][]string{{}, {"-o", out}, {"nope.json", "-o", out}, {"../../go.mod", "-o", out}} {
		e.Reset()
		if code := run(bad, &o, &e); code != 2 || e.Len() == 0 {
			t.Errorf("report %v: exit %d, stderr %q; want 2 with a reason", bad, code, e.String())
		}
	}
}

// Ctrl-C (the context ending) stops the report: exit 130 and no file.
func TestReportHonoursInterruption(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.html")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	code := cli.Run(ctx, "report", command, []string{"../../reports/testdata/node-loss.model.json", "-o", out}, &o, &e)
	if code != cli.Interrupted {
		t.Fatalf("exit %d after the context ended, want %d: %s", code, cli.Interrupted, e.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("an interrupted report wrote its file")
	}
}
