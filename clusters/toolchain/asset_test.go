package toolchain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyTreeKeepsTheLayoutWritable: a kustomize tree lands with its
// directories, and writable although the module cache's files are not.
func TestCopyTreeKeepsTheLayoutWritable(t *testing.T) {
	from, into := t.TempDir(), t.TempDir()
	for path, body := range map[string]string{"default/kustomization.yaml": "resources: [../crd]\n", "crd/bases/a.yaml": "kind: CustomResourceDefinition\n"} {
		p := filepath.Join(from, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyTree(from, into); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(into, "crd/bases/a.yaml"))
	if err != nil || !strings.Contains(string(b), "CustomResourceDefinition") {
		t.Fatalf("crd/bases/a.yaml: %q, %v", b, err)
	}
	st, err := os.Stat(filepath.Join(into, "default/kustomization.yaml"))
	if err != nil || st.Mode().Perm()&0o200 == 0 {
		t.Errorf("default/kustomization.yaml: %v, %v; want a writable copy", st, err)
	}
}
