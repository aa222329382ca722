package scenarios

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestShippedScenariosLoad(t *testing.T) {
	t.Parallel()
	names := Shipped()
	for _, want := range []string{"evening-peak", "launch-burst", "node-loss", "rolling-deploy", "steady"} {
		if !strings.Contains(strings.Join(names, ","), want) {
			t.Errorf("scenario %s is not shipped (have %v)", want, names)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, err := Load(filepath.Join(".", name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != name {
				t.Errorf("name = %q, want the file's name %q", s.Name, name)
			}
			if _, err := LoadShipped(name); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestEveningPeakShape(t *testing.T) {
	t.Parallel()
	s, err := LoadShipped("evening-peak")
	if err != nil {
		t.Fatal(err)
	}
	c := s.Curve()
	if got := c.Rate(20 * 3600); math.Abs(got-6.5) > 1e-9 {
		t.Errorf("rate at 20:00 = %g, want the 6.5/s peak", got)
	}
	if got := c.Rate(8 * 3600); math.Abs(got-0.5) > 1e-9 {
		t.Errorf("rate at 08:00 = %g, want the 0.5/s trough", got)
	}
	if s.Nodes.PodsPerNode != 7 {
		t.Errorf("podsPerNode = %d, want 7 (8-core nodes)", s.Nodes.PodsPerNode)
	}
}

func TestDefaultsFillOmittedFields(t *testing.T) {
	t.Parallel()
	s, err := Parse([]byte("apiVersion: fleetbench/v1alpha1\nkind: Scenario\nfleet:\n  podStartup: {fixed: 3s}\n  policy: {buffer: {size: 5}}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Fleet.PodStartup.Lognormal != nil || s.Fleet.PodStartup.Fixed.Duration != 3*time.Second {
		t.Errorf("podStartup = %+v, want only fixed 3s", s.Fleet.PodStartup)
	}
	if s.Fleet.Policy.MinAvailable != nil || *s.Fleet.Policy.Buffer.Size != 5 {
		t.Errorf("policy = %+v, want only buffer 5", s.Fleet.Policy)
	}
	if s.Fleet.SyncInterval.Duration != 30*time.Second || s.Players.PerMatch != 10 {
		t.Errorf("omitted fields lost their defaults: %+v", s.Fleet)
	}
}

func TestBadInputReportsEveryProblem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("t,rate\n0,1\n10,-3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"unknown field", "arrivals:\n  segments:\n    - constant: {rat: 5}\n", []string{"arrivals.segments[0].constant.rat: unknown field"}},
		{"wrong type", "players:\n  perMatch: ten\n", []string{"players.perMatch: must be an integer"}},
		// The decoder would truncate 2.9 into 2 and wrap the seed.
		{"fraction for an integer", "players:\n  perMatch: 2.9\nnodes: {max: 1e3}\n",
			[]string{`players.perMatch: must be an integer, not "2.9"`, `nodes.max: must be an integer, not "1e3"`}},
		{"integers out of range", "seed: 18446744073709551616\nnodes: {min: -1, podsPerNode: 99999999999999999999}\n",
			[]string{"seed: 18446744073709551616 is out of range for a 64-bit integer", "nodes.podsPerNode: 99999999999999999999 is out of range", "nodes.min: must be ≥ 0"}},
		{"negative seed", "seed: -1\n", []string{"seed: must be ≥ 0, not -1"}},
		{"second document", "name: a\n---\nname: b\n", []string{"more than one YAML document"}},
		{"bad duration", "duration: 3 days\n", []string{"duration: \"3 days\" is not a duration"}},
		{"negative and NaN rate", "arrivals:\n  segments:\n    - {for: 1h, constant: {rate: -1}}\n    - linear: {from: .nan, to: 3}\n",
			[]string{"arrivals.segments[0].constant.rate: must be ≥ 0", "arrivals.segments[1].linear.from: must be a finite number"}},
		{"perMatch 0 and surge 150%", "players: {perMatch: 0}\nfleet:\n  update: {rollingUpdate: {maxSurge: 150%}}\n",
			[]string{"players.perMatch: must be ≥ 1", "fleet.update.rollingUpdate.maxSurge: must be at most 100%"}},
		{"room out of range", "fleet: {room: {tickRate: 5000, stateBytes: -1}}\n",
			[]string{"fleet.room.tickRate: must be 0 (the default, 20) to 1000 states a second, got 5000", "fleet.room.stateBytes: must be 0 (no padding) to 1048576 bytes, got -1"}},
		{"event after duration", "duration: 1h\ntimeline:\n  - {at: 2h, crash: {rooms: 1}}\n", []string{"timeline[0].at: is after the scenario's duration"}},
		{"two shapes", "arrivals:\n  segments:\n    - {constant: {rate: 1}, step: {rate: 2}}\n", []string{"arrivals.segments[0]: must have exactly one of"}},
		{"unreadable trace", "arrivals:\n  segments:\n    - trace: {file: missing.csv}\n", []string{"arrivals.segments[0].trace.file: cannot read trace"}},
		{"bad trace row", "arrivals:\n  segments:\n    - trace: {file: bad.csv}\n", []string{"arrivals.segments[0].trace.file: trace line 3: rate"}},
		{"absurd sizes", "duration: 1000000h\nnodes: {podsPerNode: 1000000000}\nfleet: {policy: {buffer: {size: 2000000000}}}\narrivals: {segments: [{constant: {rate: 1e9}}]}\n",
			[]string{"duration: must be at most", "nodes.podsPerNode: must be at most 10000", "fleet.policy.buffer.size: must be at most", "arrivals.segments[0].constant.rate: must be at most"}},
		{"many at once", "duration: -1h\nspeedup: 0\nplayers: {disconnect: {probability: 2}}\nnodes: {max: 0}\n",
			[]string{"duration: must be > 0", "speedup: must be > 0", "players.disconnect.probability: must be between 0 and 1", "nodes.max: must be ≥ 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte("apiVersion: fleetbench/v1alpha1\nkind: Scenario\n"+tc.doc), dir)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v, want Errors", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("errors\n%v\nlack %q", err, w)
				}
			}
			if len(errs) < len(tc.want) {
				t.Errorf("got %d errors, want at least %d", len(errs), len(tc.want))
			}
		})
	}
}

func TestVersionIsSniffedFirst(t *testing.T) {
	t.Parallel()
	for doc, want := range map[string]string{
		"apiVersion: fleetbench/v2\nkind: Scenario\n":  `apiVersion: is "fleetbench/v2"`,
		"kind: Scenario\n":                             "apiVersion: required",
		"apiVersion: fleetbench/v1alpha1\nkind: Job\n": `kind: is "Job"`,
		"- 1\n- 2\n": "must be a YAML mapping",
		"a: [\n":     "not valid YAML",
	} {
		if _, err := Parse([]byte(doc), ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", doc, err, want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want not-exist", err)
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	s, err := LoadWith("steady.yaml", []Override{
		{Path: "fleet.policy.minAvailable.count", Value: "30"},
		{Path: "arrivals.segments[0].constant.rate", Value: "4.5"},
		{Path: "nodes.hourlyCost", Value: "0.5"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *s.Fleet.Policy.MinAvailable.Count != 30 || s.Arrivals.Segments[0].Constant.Rate != 4.5 || s.Nodes.HourlyCost != 0.5 {
		t.Errorf("overrides not applied: %+v", s)
	}
	_, err = LoadWith("steady.yaml", []Override{{Path: "fleet.policy.minAvailable.cnt", Value: "3"}, {Path: "arrivals.segments[9].constant.rate", Value: "1"}})
	if err == nil || !strings.Contains(err.Error(), "segments has no element [9]") {
		t.Errorf("bad overrides: err = %v", err)
	}
	if _, err := LoadWith("steady.yaml", []Override{{Path: "fleet.policy.minAvailable.cnt", Value: "3"}}); err == nil || !strings.Contains(err.Error(), "fleet.policy.minAvailable.cnt: unknown field") {
		t.Errorf("unknown override field: err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range Shipped() {
		data, err := shipped.ReadFile(name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: fleetbench/v1alpha1\nkind: Scenario\nduration: 1h\narrivals: {segments: [{sine: {mean: 1, amplitude: 1, period: 0s}}]}"))
	dir := f.TempDir() // traces resolve here; one directory keeps execs cheap
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, dir)
		if err == nil {
			// A valid scenario must compile to a curve with finite rates.
			c := s.Curve()
			if p := c.Peak(); math.IsNaN(p) || p < 0 {
				t.Fatalf("valid scenario has peak rate %v", p)
			}
		}
	})
}

// Overrides edit the document by path before parsing: any path or value
// must give a scenario or errors, never a panic.
func FuzzParseWith(f *testing.F) {
	doc, err := shipped.ReadFile("steady.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("fleet.policy.minAvailable.count", "20")
	f.Add("arrivals.segments[0].constant.rate", "1e9")
	f.Add("timeline[3].at", "1h")
	f.Add("a.b.c.d", "[1, 2")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, path, value string) {
		_, _ = ParseWith(doc, dir, []Override{{Path: path, Value: value}})
	})
}

// TestSuiteScenariosLoad: the nightly suite's real-run scenarios are valid.
func TestSuiteScenariosLoad(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("suite/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no suite scenarios: %v", err)
	}
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(filepath.Base(f), ".yaml"); s.Name != want {
			t.Errorf("%s: name %q, want %q", f, s.Name, want)
		}
	}
}

// TestYAMLRoundTrip: the scenario a report echoes loads back as the same
// scenario, for every shipped one.
func TestYAMLRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range Shipped() {
		s, err := LoadShipped(name)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse([]byte(s.YAML()), ".")
		if err != nil {
			t.Fatalf("%s: the echoed scenario does not load: %v\n%s", name, err, s.YAML())
		}
		if back.Hash() != s.Hash() {
			t.Errorf("%s: echoed scenario differs (hash %s, want %s)", name, back.Hash(), s.Hash())
		}
	}
}

// A --set flag as typed: PATH=VALUE parsed, then applied to a scenario.
func FuzzParseOverride(f *testing.F) {
	doc, err := shipped.ReadFile("steady.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"seed=18446744073709551616", "players.perMatch=2.9", "timeline[99999999999].at=1s", "=", "a==b", "arrivals.segments[-1].constant.rate=1", "fleet.policy={minAvailable: {count: 1}}"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOverride(s)
		if err != nil {
			return
		}
		_, _ = ParseWith(doc, dir, []Override{o})
	})
}

// A --set value that is a YAML flow mapping replaces the whole field: how
// a policy is swapped for another from the command line.
func TestOverrideWithAFlowMapping(t *testing.T) {
	t.Parallel()
	s, err := LoadWith("steady.yaml", []Override{{Path: "fleet.policy", Value: "{buffer: {size: 7, max: 90}, countWaiting: true}"}})
	if err != nil {
		t.Fatal(err)
	}
	p := s.Fleet.Policy
	if p.MinAvailable != nil || p.Buffer == nil || *p.Buffer.Size != 7 || p.Buffer.Max != 90 || !p.CountWaiting {
		t.Errorf("policy %+v", p)
	}
	if _, err := LoadWith("steady.yaml", []Override{{Path: "fleet.policy", Value: "{buffer: "}}); err == nil || !strings.Contains(err.Error(), "fleet.policy: cannot set") {
		t.Errorf("a broken flow mapping: %v", err)
	}
}

// An enum given a list or a flow mapping is named by its path too.
func TestEnumErrorsNameTheField(t *testing.T) {
	t.Parallel()
	doc := "apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: x\nfleet: {scheduling: [packed]}\nplayers: {onTimeout: later}\n"
	_, err := Parse([]byte(doc), ".")
	for _, want := range []string{"fleet.scheduling: must be one of [packed distributed]", `players.onTimeout: want one of [start requeue], not "later"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
