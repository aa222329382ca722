package sweep

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/sim"
)

// A trial's days share one scenario on the wire; another value is another.
func TestBatchSendsEachScenarioOnce(t *testing.T) {
	doc, err := os.ReadFile("testdata/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var work []sim.Job
	for _, size := range []string{"4", "4", "4", "7", "7"} {
		sc, err := scenarios.ParseWith(doc, ".", []scenarios.Override{{Path: "fleet.policy.buffer.size", Value: size}})
		if err != nil {
			t.Fatal(err)
		}
		sc.Seed = uint64(100 + len(work))
		work = append(work, sim.Job{Scenario: sc, JudgeOnly: len(work)%2 == 0})
	}
	b, err := encodeBatch(3, work)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Scenarios) != 2 {
		t.Fatalf("%d scenarios sent for 2 values", len(b.Scenarios))
	}
	for i, j := range b.Jobs {
		back, err := scenarios.Parse([]byte(b.Scenarios[j.Scenario]), ".")
		if err != nil {
			t.Fatal(err)
		}
		back.Seed = j.Seed
		if back.Hash() != work[i].Scenario.Hash() || j.JudgeOnly != work[i].JudgeOnly {
			t.Errorf("job %d does not read back as sent", i)
		}
	}
}

// A trace's points stay on this machine: such a scenario is refused, not
// sent to workers that would simulate something else.
func TestBatchRefusesTraceScenarios(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "curve.csv"), []byte("t,rate\n0,1\n600,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := "apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: traced\nduration: 20m\narrivals:\n  segments:\n    - trace: {file: curve.csv}\nplayers: {perMatch: 2}\n"
	sc, err := scenarios.Parse([]byte(doc), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := encodeBatch(1, []sim.Job{{Scenario: sc}}); !errors.Is(err, ErrNotPortable) {
		t.Fatalf("a trace scenario: %v, want ErrNotPortable", err)
	} else {
		t.Log(err)
	}
}
