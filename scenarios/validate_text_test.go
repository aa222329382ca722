package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// Free text goes to terminals, run files and reports: control characters
// and text past its bound are refused, naming the field.
func TestFreeTextIsPrintable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, doc, want string
	}{
		{"escape in the name", "name: \"fleet\\e[2J\"\n", "name: holds the control character U+001B at byte 5"},
		{"newline in the name", "name: \"a\\nsim: all SLOs met\"\n", "name: holds the control character U+000A at byte 1"},
		{"C1 control", "name: \"a\\x85\"\n", "name: holds the control character U+0085"},
		{"right-to-left override", "name: \"a\\u202Eb\"\n", "name: holds the control character U+202E"},
		{"a long name", "name: " + strings.Repeat("n", 257) + "\n", "name: is 257 bytes long, at most 256"},
		{"bell in a version", "timeline:\n  - {at: 1m, rollingDeploy: {version: \"v2\\a\"}}\n", "timeline[0].rollingDeploy.version: holds the control character U+0007"},
		{"a long version", "timeline:\n  - {at: 1m, rollingDeploy: {version: " + strings.Repeat("v", 129) + "}}\n", "timeline[0].rollingDeploy.version: is 129 bytes long, at most 128"},
		{"a trace file with a tab", "arrivals: {segments: [{trace: {file: \"a\\tb.csv\"}}]}\n", "arrivals.segments[0].trace.file: holds the control character U+0009"},
	} {
		doc := head + c.doc
		if strings.HasPrefix(c.doc, "name:") {
			doc = strings.Replace(doc, "name: x\n", "", 1)
		}
		_, err := Parse([]byte(doc), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	doc := head + "name: \"fleet · 夜 ☾\"\ntimeline:\n  - {at: 1m, rollingDeploy: {version: " + strings.Repeat("v", 128) + "}}\n"
	if _, err := Parse([]byte(strings.Replace(doc, "name: x\n", "", 1)), "."); err != nil {
		t.Errorf("printable text at its bound: %v", err)
	}
}

// An error that repeats a key of the document escapes it.
func TestErrorsEscapeControlCharacters(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(head+"\"\\e]0;pwned\\a\": 1\n"), ".")
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\a") || !strings.Contains(err.Error(), `\x1b]0;pwned\a: unknown field`) {
		t.Errorf("err = %q", err)
	}
}

// An empty --set value is null in YAML, which resets the field: refused.
func TestEmptyOverrideValueIsRefused(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"fleet.policy.buffer.size=", "name= ", "seed=\t"} {
		path, _, _ := strings.Cut(s, "=")
		if _, err := ParseOverride(s); err == nil || !strings.Contains(err.Error(), "empty value for "+path) {
			t.Errorf("ParseOverride(%q): err = %v", s, err)
		}
	}
	if _, err := LoadWith("steady.yaml", []Override{{Path: "fleet.policy.minAvailable.count", Value: ""}}); err == nil ||
		!strings.Contains(err.Error(), "fleet.policy.minAvailable.count: cannot set: empty value") {
		t.Errorf("an empty Override: err = %v", err)
	}
	if o, err := ParseOverride("name=a=b"); err != nil || o.Value != "a=b" {
		t.Errorf("a value holding =: %+v, %v", o, err)
	}
}

// Lists the model walks on every tick or segment are bounded.
func TestListsAreBounded(t *testing.T) {
	t.Parallel()
	segments := "arrivals:\n  segments:\n" + strings.Repeat("    - {for: 1s, constant: {rate: 1}}\n", maxSegments) + "    - {constant: {rate: 1}}\n"
	var policies strings.Builder
	for range maxHPAPolicies + 1 {
		policies.WriteString("{type: Pods, value: 1, period: 15s}, ")
	}
	hpa := fmt.Sprintf("fleet:\n  policy: {minAvailable: {count: 2}}\n  syncInterval: 15s\n  hpa: {scaleUp: {policies: [%s]}}\n", strings.TrimSuffix(policies.String(), ", "))
	for _, c := range []struct{ doc, want string }{
		{segments, "arrivals.segments: has 10001 segments, at most 10000"},
		{hpa, "fleet.hpa.scaleUp.policies: has 101 policies, at most 100"},
	} {
		if _, err := Parse([]byte(head+c.doc), "."); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
}

// A command writes no scenario document Load would refuse.
func TestCheckWritable(t *testing.T) {
	t.Parallel()
	if err := CheckWritable("plan.yaml", MaxFileSize); err != nil {
		t.Errorf("at the bound: %v", err)
	}
	if err := CheckWritable("plan.yaml", MaxFileSize+1); err == nil || !strings.Contains(err.Error(), "plan.yaml would be 4194305 bytes, more than a scenario file may be (4 MiB)") {
		t.Errorf("past the bound: %v", err)
	}
}

// fleet.controller takes fleetd or okg; okg is OpenKruiseGame, whose
// rule is minAvailable.
func TestControllerWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ doc, want string }{
		{"fleet: {controller: agones}\n", "want one of [fleetd okg]"},
		{"fleet: {controller: okg, policy: {buffer: {size: 3}}}\n", "fleet.controller: okg is OpenKruiseGame, whose rule is minAvailable"},
	} {
		if _, err := Parse([]byte(head+c.doc), "."); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.doc, err, c.want)
		}
	}
	sc, err := Parse([]byte(head+"fleet: {controller: okg}\n"), ".")
	if err != nil {
		t.Fatal(err)
	}
	if h := sc.FleetHPA(); h == nil || *h.ScaleUp.Tolerance != 0 || h.ScaleUp.Policies[0].Value != sc.ReplicaCap() {
		t.Errorf("okg's HPA %+v: want the emitted behaviour (tolerance 0, up by the cap %d)", h, sc.ReplicaCap())
	}
	if sc, _ := Parse([]byte(head), "."); sc.FleetHPA() != nil || sc.Fleet.Tick() != sc.Fleet.SyncInterval.Duration {
		t.Error("fleetd has an HPA in front of it")
	}
}
