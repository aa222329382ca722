package loadgen

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/fleetbench/fleetbench/results"
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

// stagesInOrder: the stages reached are in order, and none follows one
// not reached.
func stagesInOrder(up results.ScaleUp) bool {
	prev := 0.0
	for i, v := range []float64{up.Created, up.Ready, up.PodRunning, up.RoomReady} {
		switch {
		case v == 0 && i > 0:
			prev = math.Inf(1) // not reached: nothing may follow
		case v == 0 || v < prev:
			return false
		default:
			prev = v
		}
	}
	return true
}
