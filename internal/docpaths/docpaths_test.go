package docpaths

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRepositoryDocsNameWhatExists is the check make lint runs.
func TestRepositoryDocsNameWhatExists(t *testing.T) {
	problems, err := Check("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestCheckFindsDanglingReferences: a link, a quoted path and a design
// pointer that name nothing are each found; ones that exist are not.
func TestCheckFindsDanglingReferences(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, d := range []string{"docs", "sim"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sim/run.go", "package sim\n\n// run follows DESIGN"+" §4.\n")
	write("docs/a.md", "# A\n\n[b](b.md), [run](../sim/run.go), [web](https://example.com)\n`sim/run.go`, `sim/gone.go`, `sim/*.go`, `cmd/x`\n")
	problems, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"b.md": true, "sim/gone.go": true, "cmd/x": true, "DESIGN §": true}
	for _, p := range problems {
		if !want[p.Ref] {
			t.Errorf("unexpected %s", p)
		}
		delete(want, p.Ref)
	}
	for ref := range want {
		t.Errorf("%s not found", ref)
	}
}
