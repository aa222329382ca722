package loadgen

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Helpers shared by the unit tests and the real runs (the e2e build tag:
// disruption_test.go and its neighbours).

// journal reads players.ndjson.
func journal(t *testing.T, dir string) []Outcome {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "players.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Outcome
	for s := bufio.NewScanner(f); s.Scan(); {
		var o Outcome
		if err := json.Unmarshal(s.Bytes(), &o); err != nil {
			t.Fatalf("journal line %q: %v", s.Text(), err)
		}
		out = append(out, o)
	}
	return out
}
