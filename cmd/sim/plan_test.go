package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A plan that finds no schedule removes what an earlier plan wrote into
// the same directory (plan.yaml, its manifests) and says only what it
// wrote: a stale schedule beside a new "not found" would be replayed.
func TestFailedPlanLeavesNoStaleSchedule(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	small, err := os.ReadFile("testdata/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	okg := strings.Replace(string(small), "policy: {buffer: {size: 6}}", "policy: {minAvailable: {count: 6, max: 400}}", 1)
	meets := write("meets.yaml", strings.Replace(okg, "p99: 8s", "p99: 60s", 1))
	// No buffer gives a time to room of a millisecond.
	impossible := write("impossible.yaml", strings.Replace(okg, "p99: 8s", "p99: 1ms", 1))
	plan := func(file string) (int, string) {
		var o, e bytes.Buffer
		code := run(context.Background(), []string{"plan", file, "--step", "10m", "--target", "0.5", "--days", "3", "--search-days", "3", "--max-days", "20", "-o", out, "--emit", "okg"}, &o, &e)
		return code, o.String() + e.String()
	}
	if code, msg := plan(meets); code != 0 {
		t.Fatalf("the first plan: exit %d\n%s", code, msg)
	}
	for _, name := range []string{"plan.yaml", "okg.yaml"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Fatalf("the first plan wrote no %s", name)
		}
	}
	code, msg := plan(impossible)
	if code != 1 || !strings.Contains(msg, "no schedule found") {
		t.Fatalf("the impossible plan: exit %d\n%s", code, msg)
	}
	for _, name := range []string{"plan.yaml", "okg.yaml"} {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("%s from the earlier plan is still there", name)
		}
		for _, line := range strings.Split(msg, "\n") {
			if strings.HasPrefix(line, "wrote ") && strings.Contains(line, name) {
				t.Errorf("says it wrote %s:\n%s", name, msg)
			}
		}
	}
	if !strings.Contains(msg, "removed "+filepath.Join(out, "okg.yaml")) && !strings.Contains(msg, "removed "+filepath.Join(out, "plan.yaml")) {
		t.Errorf("does not say what it removed:\n%s", msg)
	}
}
