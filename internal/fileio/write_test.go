package fileio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entries lists dir's names (temporary and backup files included).
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestApplyWritesAndRemovesStale(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a"), "old a")
	write(t, filepath.Join(dir, "stale"), "old stale")
	c := Change{Write: map[string][]byte{filepath.Join(dir, "a"): []byte("new a"), filepath.Join(dir, "b"): []byte("new b")},
		Remove: []string{filepath.Join(dir, "stale"), filepath.Join(dir, "absent")}}
	if err := c.Apply(); err != nil {
		t.Fatal(err)
	}
	if a, b := read(t, filepath.Join(dir, "a")), read(t, filepath.Join(dir, "b")); a != "new a" || b != "new b" {
		t.Fatalf("a %q, b %q", a, b)
	}
	if got := entries(t, dir); strings.Join(got, " ") != "a b" {
		t.Fatalf("left %v", got)
	}
}

func TestApplyUndoesEverythingWhenARenameFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, stale := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "stale")
	write(t, a, "old a")
	write(t, stale, "old stale")
	renames := 0
	failSecond := ops{rename: func(from, to string) error {
		// The second rename into place fails; renames back succeed.
		if renames++; renames == 2 && !strings.Contains(from, ".old-") {
			return errors.New("injected")
		}
		return os.Rename(from, to)
	}}
	sub := filepath.Join(dir, "new", "deeper")
	c := Change{Write: map[string][]byte{a: []byte("new a"), b: []byte("new b"), filepath.Join(sub, "c"): []byte("c")}, Remove: []string{stale}}
	if err := c.apply(failSecond); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("apply: %v", err)
	}
	if got := read(t, a); got != "old a" {
		t.Fatalf("a holds %q after the failure, want its old contents", got)
	}
	if got := read(t, stale); got != "old stale" {
		t.Fatalf("stale holds %q", got)
	}
	if got := entries(t, dir); strings.Join(got, " ") != "a stale" {
		t.Fatalf("after the failure the directory holds %v, want only a and stale (no b, no temporaries, no new directory)", got)
	}
}

func TestApplyRefusesWhatIsNotARegularFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "a named pipe", dir: "a directory", "/dev/null": "a character device"} {
		err := Change{Write: map[string][]byte{path: []byte("x")}}.Apply()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a refusal naming %s", path, err, want)
		}
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", st, err)
	}
}

func TestApplyWritesThroughASymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target"), filepath.Join(dir, "link")
	write(t, target, "old")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := (Change{Write: map[string][]byte{link: []byte("new")}}).Apply(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file")
	}
	if got := read(t, target); got != "new" {
		t.Fatalf("target holds %q", got)
	}
}

func TestCheckOutputsComparesFilesNotNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	if err := os.Mkdir(runs, 0o755); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(runs, "model.json")
	write(t, in, "{}")
	alias := filepath.Join(dir, "alias")
	if err := os.Symlink(runs, alias); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ out, in, want string }{
		{filepath.Join(alias, "model.json"), in, "would replace the input"},   // the same file through a link
		{filepath.Join(alias, "new.json"), runs, "would replace the input"},   // a run file inside an input directory
		{filepath.Join(dir, "r.html"), runs, ""},                              // beside it: fine
		{filepath.Join(in, "x.html"), in, "not a directory"},                  // under a file
		{filepath.Join(alias, "..", "runs", "..", "runs"), in, "a directory"}, // a directory
		{filepath.Join(dir, "new", "deeper", "report.html"), in, ""},          // to be created
	} {
		err := CheckOutputs([]Output{{Flag: "-o", Path: c.out}}, []string{c.in})
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s vs input %s: %v, want %q", c.out, c.in, err, c.want)
		}
	}
}

func TestOpenRefusesAFIFOWithoutBlocking(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFile(fifo, 1<<20); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "a named pipe") {
			t.Fatalf("ReadFile(FIFO): %v", err)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("ReadFile blocked on a FIFO with no writer")
	}
}

func TestApplyMovesAFileIntoPlaceOrLeavesIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	journal, partial, report := filepath.Join(dir, "j"), filepath.Join(dir, "j.partial"), filepath.Join(dir, "r")
	write(t, journal, "old journal")
	write(t, partial, "new journal")
	renames := 0
	failLast := ops{rename: func(from, to string) error {
		// Moves go first: the journal is in place when the report's
		// rename fails, so undoing must put it back under its own name.
		if renames++; renames == 2 {
			return errors.New("injected")
		}
		return os.Rename(from, to)
	}}
	c := Change{Write: map[string][]byte{report: []byte("r")}, Move: map[string]string{journal: partial}}
	if err := c.apply(failLast); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("apply: %v", err)
	}
	if got := read(t, partial); got != "new journal" {
		t.Fatalf("the moved file holds %q after the failure, want it kept under its own name", got)
	}
	if got := read(t, journal); got != "old journal" {
		t.Fatalf("the target holds %q after the failure, want its old contents", got)
	}
	if got := entries(t, dir); strings.Join(got, " ") != "j j.partial" {
		t.Fatalf("after the failure the directory holds %v", got)
	}
	if err := c.Apply(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, journal); got != "new journal" {
		t.Fatalf("journal holds %q", got)
	}
	if got := entries(t, dir); strings.Join(got, " ") != "j r" {
		t.Fatalf("after the change the directory holds %v", got)
	}
}
