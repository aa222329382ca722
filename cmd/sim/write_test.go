package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/internal/cli"
)

// snapshot is what dir holds: each path (temporaries included) with its
// mode and, for a file, its contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		v := st.Mode().String()
		if st.Mode().IsRegular() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			v += " " + string(b)
		}
		got[path] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// sameAs fails unless dir holds exactly what before recorded.
func sameAs(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := snapshot(t, dir)
	for p, v := range after {
		if before[p] != v {
			t.Errorf("%s is %q, was %q", p, v, before[p])
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("%s is gone", p)
		}
	}
}

// outputDir is an -o DIR that already holds an earlier run's outputs
// and a file of the user's.
func outputDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range append(names, "notes.txt") {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("old "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// immutable makes path a file nobody may replace, root included (the
// file system's immutable flag), or skips where that cannot be done.
func immutable(t *testing.T, path string) {
	t.Helper()
	chattr, err := exec.LookPath("chattr")
	if err != nil {
		t.Skip("no chattr: cannot make a file that even root may not replace")
	}
	if out, err := exec.Command(chattr, "+i", path).CombinedOutput(); err != nil {
		t.Skipf("chattr +i %s: %v %s (needs root and a file system with the flag)", path, err, out)
	}
	t.Cleanup(func() { exec.Command(chattr, "-i", path).Run() })
}

// An output that cannot be replaced when the outputs are written (here
// report.html, immutable; as another user, someone else's file in a
// sticky directory) fails the command as an operation (exit 4, not 1:
// the answer was not no) and leaves -o DIR exactly as it was: the old
// outputs keep their contents, no new one is left behind, nor any
// temporary or backup file.
func TestFailedWriteLeavesTheDirectoryAsItWas(t *testing.T) {
	for _, c := range []struct {
		name  string
		args  []string
		files []string
	}{
		{"run", []string{"run", "testdata/small.yaml"}, []string{"model.json", "report.html"}},
		{"sweep", []string{"sweep", "testdata/small.yaml", "--set", "fleet.policy.buffer.size=4:8:4"}, []string{"sweep.json", "report.html"}},
		{"check", []string{"check", "testdata/small.yaml", "--set", "fleet.policy.buffer.size=9"}, []string{"check.json", "model.json", "report.html"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := outputDir(t, c.files...)
			immutable(t, filepath.Join(dir, "report.html"))
			before := snapshot(t, dir)
			code, _, stderr := runCLI(t, append(c.args, "-o", dir)...)
			if code != cli.OperationFailed || !strings.Contains(stderr, filepath.Join(dir, "report.html")) {
				t.Errorf("exit %d, want %d (an operation failed), naming report.html:\n%s", code, cli.OperationFailed, stderr)
			}
			sameAs(t, dir, before)
		})
	}
}

// A report.html that is a directory is refused before the work, as bad
// usage (docs/cli.md), and -o DIR is left as it was.
func TestOutputThatIsADirectoryIsRefusedBeforeTheWork(t *testing.T) {
	dir := outputDir(t, "model.json")
	if err := os.MkdirAll(filepath.Join(dir, "report.html", "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	code, stdout, stderr := runCLI(t, "run", "testdata/small.yaml", "-o", dir)
	if code != cli.Usage || !strings.Contains(stderr, "report.html exists and is not a regular file (a directory)") || stdout != "" {
		t.Errorf("exit %d, want %d, refused before the run:\n%s%s", code, cli.Usage, stdout, stderr)
	}
	sameAs(t, dir, before)
}
