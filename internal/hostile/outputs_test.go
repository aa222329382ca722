package hostile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fifo makes a named pipe at $D/name.
func fifo(name string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// stillFIFO checks that $D/name is still a named pipe.
func stillFIFO(name string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if st, err := os.Lstat(filepath.Join(dir, name)); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("%s was replaced: %v", name, err)
		}
	}
}

// symlink makes $D/link point at target (expanded against $D).
func symlink(target, link string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Symlink(strings.ReplaceAll(target, "$D", dir), filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
}

// Outputs that are not regular files are refused before any work and
// left as they are; inputs that are not regular files are refused
// without blocking on them.
func TestOutputsAndInputsThatAreNotFiles(t *testing.T) {
	run := func(t *testing.T, dir string) { mustCopy(t, modelRun, filepath.Join(dir, "runs", "model.json")) }
	both := func(fs ...func(*testing.T, string)) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			for _, f := range fs {
				f(t, dir)
			}
		}
	}
	cases := []hostileCase{
		{name: "sim run into a FIFO", cmd: "sim", args: []string{"run", smallScenario, "-o", "$D/out"}, setup: fifo("out/model.json"),
			code: 2, says: "-o: $D/out/model.json exists and is not a regular file (a named pipe)", verify: stillFIFO("out/model.json"), leaves: []string{"$D/out/report.html", "$D/out/.*"}},
		{name: "sim run into a file", cmd: "sim", args: []string{"run", smallScenario, "-o", "$D/f"}, files: map[string]string{"f": "mine"},
			code: 2, says: "$D/f is not a directory (a regular file)"},
		{name: "sim check into a device", cmd: "sim", args: []string{"check", smallScenario, "-o", "$D/out"}, setup: symlink("/dev/null", "out"),
			code: 2, says: "$D/out is not a directory (a character device)"},
		{name: "report over /dev/null", cmd: "report", args: []string{modelRun, "-o", "/dev/null"}, code: 2, says: "/dev/null exists and is not a regular file (a character device)",
			verify: func(t *testing.T, _ string) {
				if st, err := os.Stat("/dev/null"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
					t.Fatalf("/dev/null is no longer a device: %v", err)
				}
			}},
		{name: "report onto its input through a symlink", cmd: "report", args: []string{"$D/runs", "-o", "$D/alias/model.json"},
			setup: both(run, symlink("$D/runs", "alias")), code: 2, says: "would replace the input $D/runs"},
		{name: "compare --junit into a FIFO", cmd: "loadgen", args: []string{"compare", "--baseline", "$D/runs", "--current", "$D/runs", "--junit", "$D/j.xml"},
			setup: both(run, fifo("j.xml")), code: 2, says: "--junit: $D/j.xml exists and is not a regular file (a named pipe)", verify: stillFIFO("j.xml")},
		{name: "a FIFO as the scenario", cmd: "sim", args: []string{"run", "$D/s.yaml", "-o", "$D/out"}, setup: fifo("s.yaml"),
			code: 2, says: "$D/s.yaml is a named pipe: give a regular file", leaves: noOutput},
		{name: "a FIFO as the trace", cmd: "sim", args: []string{"run", "$D/s.yaml", "-o", "$D/out"}, setup: fifo("t.csv"),
			files: map[string]string{"s.yaml": scenario(t, "constant: {rate: 2}", "trace: {file: t.csv}")}, code: 2, says: "a named pipe", leaves: noOutput},
		{name: "a FIFO as a run", cmd: "report", args: []string{"$D/runs", "-o", "$D/r.html"}, setup: fifo("runs/model.json"),
			code: 2, says: "$D/runs/model.json is a named pipe", leaves: []string{"$D/r.html"}},
	}
	runCases(t, cases)
}

// Help on a command prints its flags on stdout.
func TestSubcommandHelpPrintsFlags(t *testing.T) {
	for _, command := range []string{"run", "sweep", "check", "plan"} {
		o := hostileCase{name: command, cmd: "sim", args: []string{command, "-h"}}.run(t)
		if !strings.Contains(o.stdout, "usage: sim "+command) || !strings.Contains(o.stdout, "-o") {
			t.Errorf("sim %s -h printed %q", command, o.stdout)
		}
	}
}

func mustCopy(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, []byte(mustRead(t, from)), 0o644); err != nil {
		t.Fatal(err)
	}
}
