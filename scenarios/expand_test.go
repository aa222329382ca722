package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

const head = "apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: x\nduration: 1h\n"

// aliasTimeline is a timeline of n entries, each an alias of the first,
// whose version is a string of size bytes: a few KB of file that
// decodes to n × size bytes.
func aliasTimeline(n, size int) string {
	doc := head + "timeline:\n  - &e {at: 1m, rollingDeploy: {version: " + strings.Repeat("v", size) + "}}\n"
	return doc + strings.Repeat("  - *e\n", n-1)
}

// nestedAliases sets key to a list of `width` aliases of a list of
// `width` aliases …, depth levels deep (≥ 2): width^depth scalars. The
// lists it repeats sit at top-level keys x0, x1, ….
func nestedAliases(key string, width, depth int) string {
	list := func(item string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(item+", ", width), ", ") + "]"
	}
	doc := "x0: &x0 " + list("1") + "\n"
	for d := 1; d < depth-1; d++ {
		doc += fmt.Sprintf("x%d: &x%d %s\n", d, d, list(fmt.Sprintf("*x%d", d-1)))
	}
	return doc + key + ": " + list(fmt.Sprintf("*x%d", depth-2)) + "\n"
}

func TestAliasExpansionIsBudgeted(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, doc, want string
	}{
		// 84 KB of file that decoded to 131 MB of model.json and 405 MB
		// of report before the bound.
		{"a long string repeated", aliasTimeline(10_000, 13_000), "timeline: holds more than 4194304 bytes of text once its aliases (*name) are expanded"},
		{"lists of lists", head + nestedAliases("timeline", 100, 3), "timeline: holds more than 524288 YAML values once its aliases"},
		{"an anchor under an unknown key", head + nestedAliases("timeline", 1000, 4), "x1: holds more than 524288 YAML values"},
		{"an alias cycle", head + "timeline: &t [*t]\n", "timeline: the alias *t repeats a value that holds the alias itself"},
		{"a cycle through a mapping", head + "fleet: &f {policy: *f}\n", "fleet: the alias *f repeats a value that holds the alias itself"},
	} {
		_, err := Parse([]byte(c.doc), ".")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s (%d bytes): err = %v, want %q", c.name, len(c.doc), err, c.want)
		}
	}
}

// Aliases within the budget decode as their anchors; the check costs
// the document's size, not its expansion.
func TestModerateAliasesStillLoad(t *testing.T) {
	t.Parallel()
	doc := head + "players:\n  sessionLength: &d {exponential: {mean: 2m}}\nfleet:\n  podStartup: *d\n  policy: {buffer: {size: &n 4}}\nnodes: {initial: *n}\n"
	s, err := Parse([]byte(doc), ".")
	if err != nil {
		t.Fatal(err)
	}
	if s.Fleet.PodStartup.Exponential == nil || s.Nodes.Initial != 4 {
		t.Errorf("aliases did not decode as their anchors: %+v, %+v", s.Fleet.PodStartup, s.Nodes)
	}
	if _, err := Parse([]byte(aliasTimeline(100, 10)), "."); err != nil {
		t.Errorf("a timeline of 100 aliases: %v", err)
	}
}

// A value an alias repeats is held to the integer rules where it lands.
func TestAliasedIntegersAreStrict(t *testing.T) {
	t.Parallel()
	doc := head + "speedup: &f 2.5\nplayers: {perMatch: *f}\n"
	_, err := Parse([]byte(doc), ".")
	if err == nil || !strings.Contains(err.Error(), `players.perMatch: must be an integer, not "2.5"`) {
		t.Errorf("err = %v", err)
	}
}

// Expansion is refused before decoding: a document at the bound costs
// milliseconds, whatever it would expand to.
func TestExpansionCheckCostsTheDocument(t *testing.T) {
	doc := head + nestedAliases("timeline", 1000, 6) // 10^18 values
	allocs := testing.AllocsPerRun(1, func() {
		if _, err := Parse([]byte(doc), "."); err == nil {
			t.Fatal("10^18 values loaded")
		}
	})
	if allocs > 100_000 {
		t.Errorf("%g allocations to refuse it", allocs)
	}
}

// Documents built of aliases: any gives a scenario or errors, and a
// valid one echoes (Scenario.YAML, what reports embed) within the bound.
func FuzzParseAliases(f *testing.F) {
	f.Add([]byte(aliasTimeline(3, 5)))
	f.Add([]byte(head + nestedAliases("timeline", 3, 3)))
	f.Add([]byte(head + "timeline: &t [*t]\n"))
	f.Add([]byte(head + "players:\n  sessionLength: &d {fixed: 1s}\nfleet: {podStartup: *d, policy: {buffer: {size: &n 4}}}\nnodes: {initial: *n}\n"))
	f.Add([]byte(head + "arrivals: {segments: [&s {constant: {rate: 1}, for: 1m}, *s, *s, {constant: {rate: 2}}]}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, dir)
		if err != nil {
			return
		}
		if n := len(s.YAML()); n > 2*MaxFileSize {
			t.Fatalf("a %d-byte document echoes as %d bytes", len(data), n)
		}
	})
}
