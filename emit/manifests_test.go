package emit

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the manifests written now")

// dayCounts is a day's plan: 10 rooms, a peak at 17h–19h and 0 at 3h.
func dayCounts() []int {
	c := make([]int, 24)
	for h := range c {
		c[h] = 10
	}
	c[17], c[18], c[19], c[3] = 40, 60, 60, 0
	return c
}

// The golden files pin the manifests' text, comments included: users
// read where every number came from.
func TestManifestsMatchGolden(t *testing.T) {
	t.Parallel()
	cases := map[string]func() ([]byte, error){
		"agones-chain": func() ([]byte, error) {
			return Agones(hourly(dayCounts()...), load(t, "testdata/agones-day.yaml"), Options{Fleet: "f", Namespace: "games", Timezone: "Europe/Paris"})
		},
		"agones-flat": func() ([]byte, error) {
			return Agones(hourly(12, 12, 12), load(t, "testdata/agones-day.yaml"), Options{Fleet: "f", Namespace: "games", Timezone: "UTC"})
		},
		"agones-flat0-min0": func() ([]byte, error) {
			sc := load(t, "testdata/agones-day.yaml")
			sc.Fleet.Policy.Buffer.Min = 0
			p := hourly(0, 0)
			p.Days = nil
			return Agones(p, sc, Options{Fleet: "f.g", Namespace: "games", Timezone: "UTC"})
		},
		"okg-schedule": func() ([]byte, error) {
			return OKG(hourly(20, 20, 20, 35, 50, 50, 20), load(t, "../scenarios/evening-peak.yaml"), Options{Fleet: "rooms", Namespace: "games", Timezone: "UTC"})
		},
		"okg-flat-rolling": func() ([]byte, error) {
			sc := load(t, "../scenarios/evening-peak.yaml")
			three := scenarios.IntOrPercent{IntOrPercent: policy.IntOrPercent{Value: 3}}
			sc.Fleet.Update.RollingUpdate = &scenarios.RollingUpdate{MaxUnavailable: three}
			p := hourly(20, 20)
			p.Days = nil
			return OKG(p, sc, Options{Fleet: "rooms", Namespace: "games", Timezone: "Asia/Tokyo"})
		},
	}
	for name, write := range cases {
		got, err := write()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join("testdata", "golden", name+".yaml")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from %s (go test ./emit -run Golden -update rewrites it):\n%s", name, path, got)
		}
	}
}

// wantDoc is a document the manifests must hold, in order.
type wantDoc struct{ kind, name string }

// expected is every document the manifests of kind hold for the fleet:
// crons lists the schedule's CronIDs (none: a constant plan).
func expected(kind, fleet string, crons []string) []wantDoc {
	if kind == KindAgones {
		return []wantDoc{{"FleetAutoscaler", fleet + "-plan"}}
	}
	out := []wantDoc{{"GameServerSet", fleet}, {"ScaledObject", fleet}}
	if len(crons) > 0 {
		out = append(out, wantDoc{"ServiceAccount", fleet + "-plan"}, wantDoc{"Role", fleet + "-plan"}, wantDoc{"RoleBinding", fleet + "-plan"})
	}
	for _, c := range crons {
		out = append(out, wantDoc{"CronJob", fleet + "-plan-" + c})
	}
	return out
}

// topKeys are each kind's top-level fields: nothing else may appear.
var topKeys = map[string][]string{
	"ServiceAccount": {"apiVersion", "kind", "metadata"},
	"Role":           {"apiVersion", "kind", "metadata", "rules"},
	"RoleBinding":    {"apiVersion", "kind", "metadata", "roleRef", "subjects"},
}

// checkDocs parses the manifests back and checks they hold exactly the
// documents expected, named and namespaced by the options, and that each
// reference to the fleet, namespace and time zone holds them unchanged.
func checkDocs(t *testing.T, out []byte, kind string, o Options, crons []string) {
	t.Helper()
	ds := docs(t, out)
	want := expected(kind, o.Fleet, crons)
	if len(ds) != len(want) {
		t.Fatalf("%d documents, want %d (%v):\n%s", len(ds), len(want), want, out)
	}
	plan := o.Fleet + "-plan"
	for i, d := range ds {
		w := want[i]
		keys := topKeys[w.kind]
		if keys == nil {
			keys = []string{"apiVersion", "kind", "metadata", "spec"}
		}
		var got []string
		for k := range d {
			got = append(got, k)
		}
		slices.Sort(got)
		meta, _ := d["metadata"].(map[string]any)
		if d["kind"] != w.kind || meta["name"] != w.name || meta["namespace"] != o.Namespace || !slices.Equal(got, keys) {
			t.Fatalf("document %d is %v %v %v (fields %v), want %s %q in %q (fields %v):\n%s", i, d["kind"], meta["name"], meta["namespace"], got, w.kind, w.name, o.Namespace, keys, out)
		}
		refs := map[string][2]any{}
		switch w.kind {
		case "ScaledObject":
			refs["scaleTargetRef"] = [2]any{get(d, "spec", "scaleTargetRef", "name"), o.Fleet}
		case "Role":
			refs["resourceNames"] = [2]any{fmt.Sprint(get(d, "rules", 0, "resourceNames")), fmt.Sprint([]string{o.Fleet})}
		case "RoleBinding":
			refs["subject"] = [2]any{fmt.Sprint(get(d, "subjects", 0, "name"), get(d, "subjects", 0, "namespace")), fmt.Sprint(plan, o.Namespace)}
			refs["roleRef"] = [2]any{get(d, "roleRef", "name"), plan}
		case "CronJob":
			pod := get(d, "spec", "jobTemplate", "spec", "template", "spec")
			args := get(pod, "containers", 0, "args").([]any)
			refs["serviceAccountName"] = [2]any{get(pod, "serviceAccountName"), plan}
			refs["timeZone"] = [2]any{get(d, "spec", "timeZone"), o.Timezone}
			refs["args"] = [2]any{fmt.Sprint(args[2], args[4]), fmt.Sprint(o.Fleet, o.Namespace)}
		case "FleetAutoscaler":
			refs["fleetName"] = [2]any{get(d, "spec", "fleetName"), o.Fleet}
			if get(d, "spec", "policy", "type") == "Chain" {
				for j, e := range get(d, "spec", "policy", "chain").([]any) {
					if get(e, "type") == "Schedule" {
						refs[fmt.Sprint("chain ", j)] = [2]any{get(e, "schedule", "activePeriod", "timezone"), o.Timezone}
					}
				}
			}
		}
		for what, r := range refs {
			if r[0] != r[1] {
				t.Errorf("%s %q: %s is %q, want %q", w.kind, w.name, what, r[0], r[1])
			}
		}
	}
}

func TestManifestsParseBackExactly(t *testing.T) {
	t.Parallel()
	dayPlan := dayCounts() // windows from 0h, 3h (0), 4h, 17h, 18h (two hours), 20h
	day := []string{"from-00h00", "from-03h00", "from-04h00", "from-17h00", "from-18h00", "from-20h00"}
	long := strings.Repeat("a", 36)
	cases := []struct {
		name, kind string
		counts     []int
		o          Options
		crons      []string
	}{
		{"okg schedule", KindOKG, dayPlan, Options{Fleet: "rooms", Namespace: "games", Timezone: "Europe/Paris"}, day},
		{"okg constant", KindOKG, []int{20, 20, 20}, Options{Fleet: "rooms", Namespace: "games", Timezone: "UTC"}, nil},
		{"okg longest names", KindOKG, []int{5, 6}, Options{Fleet: long, Namespace: strings.Repeat("n", 63), Timezone: "America/Argentina/ComodRivadavia"}, []string{"from-00h00", "from-01h00"}},
		{"agones chain", KindAgones, dayPlan, Options{Fleet: "f", Namespace: "games", Timezone: "Asia/Tokyo"}, nil},
		{"agones constant", KindAgones, []int{12, 12}, Options{Fleet: "f", Namespace: "games", Timezone: "UTC"}, nil},
		{"agones subdomain", KindAgones, []int{1, 2}, Options{Fleet: "eu.rooms-" + strings.Repeat("b", 54), Namespace: "default", Timezone: "Etc/GMT+5"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sc := load(t, "../scenarios/evening-peak.yaml")
			write := OKG
			if c.kind == KindAgones {
				sc, write = load(t, "testdata/agones-day.yaml"), Agones
			}
			if err := Check(c.kind, sc, c.o); err != nil {
				t.Fatal(err)
			}
			out, err := write(hourly(c.counts...), sc, c.o)
			if err != nil {
				t.Fatal(err)
			}
			checkDocs(t, out, c.kind, c.o, c.crons)
		})
	}
}

// An empty --fleet is the scenario's name, in Check as in the manifests.
func TestFleetDefaultsToTheScenarioName(t *testing.T) {
	t.Parallel()
	sc := load(t, "../scenarios/evening-peak.yaml")
	o := Options{Namespace: "games", Timezone: "UTC"}
	out, err := OKG(hourly(3, 3), sc, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Fleet = "evening-peak"
	checkDocs(t, out, KindOKG, o, nil)
}
