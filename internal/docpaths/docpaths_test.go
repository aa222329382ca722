package docpaths

import (
	"bytes"
	"os"
	"os/exec"
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

// TestArchitectureImportTable: docs/architecture.md's package table says
// what each package imports.
func TestArchitectureImportTable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := ReadPackages(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	problems, err := CheckImportTable("../../docs/architecture.md", "github.com/fleetbench/fleetbench", pkgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestCheckImportTableFindsWrongRows: an import missing from a row, one
// listed but not made, and a package that does not exist are each found.
func TestCheckImportTableFindsWrongRows(t *testing.T) {
	t.Parallel()
	doc := filepath.Join(t.TempDir(), "a.md")
	table := "| package | concern | imports |\n|---|---|---|\n| `a` | x | `b` |\n| `c`, `d` | y | `a`, `stack/…` |\n| `gone` | z | — |\n"
	if err := os.WriteFile(doc, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	m := "example.com/m"
	pkgs := []Package{{ImportPath: m + "/a", Imports: []string{m + "/e", "fmt"}}, {ImportPath: m + "/c", Imports: []string{m + "/d", m + "/stack/x"}},
		{ImportPath: m + "/d"}}
	problems, err := CheckImportTable(doc, m, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range problems {
		got[p.Ref] = true
	}
	for _, ref := range []string{"e", "b", "a", "gone"} {
		if !got[ref] {
			t.Errorf("%s not found in %v", ref, problems)
		}
	}
	if len(problems) != 4 {
		t.Errorf("%d problems, want 4: %v", len(problems), problems)
	}
}
