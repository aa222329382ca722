package emit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// FuzzEmit: whatever the fleet, namespace, time zone and scenario name,
// either Check refuses them (and so do OKG and Agones, with its error),
// or the manifests parse back into exactly the documents expected, named
// and namespaced as asked; the scenario's name, free text in a comment,
// changes nothing but comments.
func FuzzEmit(f *testing.F) {
	seeds := []struct{ fleet, ns, tz, name string }{
		{"rooms", "games", "UTC", "evening-peak"},
		{"", "default", "Europe/Paris", "evening-peak"},
		{"a: b", "games", "UTC", "x"},
		{"a\nkind: ClusterRoleBinding", "games", "UTC", "x"},
		{"rooms", "a\nkind: ClusterRoleBinding", "UTC", "x"},
		{"rooms", "games", "UTC\nkind: ClusterRoleBinding", "x"},
		{"", "games", "UTC", "a\n---\nkind: ClusterRoleBinding"},
		{"rooms", "games", "UTC", "x\n---\napiVersion: v1\nkind: Secret"},
		{"---", "---", "---", "---"},
		{`"rooms"`, `'games'`, `"UTC"`, `"x"`},
		{"salle-é", "jeux", "Europe/Zürich", "soirée"},
		{strings.Repeat("a", 300), strings.Repeat("b", 300), strings.Repeat("c", 300), strings.Repeat("d", 300)},
		{"", "", "", ""},
		{"rooms", "games", "Local", "x"},
		{"../etc", "../etc", "../etc", "../etc"},
		{"rooms", "games", "UTC\n", "x\r"},
		{"eu.rooms", "games", "America/Argentina/ComodRivadavia", "x\u2028y"},
		{strings.Repeat("a", 36), strings.Repeat("n", 63), "Etc/GMT+5", "x\x00"},
	}
	for _, s := range seeds {
		for _, schedule := range []bool{false, true} {
			f.Add(s.fleet, s.ns, s.tz, s.name, schedule)
		}
	}
	okgScenario, err := scenarios.Load("../scenarios/evening-peak.yaml")
	if err != nil {
		f.Fatal(err)
	}
	agonesScenario, err := scenarios.Load("testdata/agones-day.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, fleet, ns, tz, name string, schedule bool) {
		counts, crons := []int{7, 7}, []string(nil)
		if schedule {
			counts, crons = []int{7, 7, 12, 30, 7}, []string{"from-00h00", "from-02h00", "from-03h00", "from-04h00"}
		}
		o := Options{Fleet: fleet, Namespace: ns, Timezone: tz}
		for _, kind := range []string{KindOKG, KindAgones} {
			sc, write := *okgScenario, OKG
			if kind == KindAgones {
				sc, write = *agonesScenario, Agones
			}
			sc.Name = name
			plan := func(scenario string) *results.Plan {
				p := hourly(counts...)
				p.Scenario = scenario
				return p
			}
			wantCrons := crons
			if kind == KindAgones {
				wantCrons = nil
			}
			// The name is free text in the heading even when the fleet's
			// name is not the scenario's.
			sameData(t, write, plan, &sc, valid, name, kind, wantCrons)
			checked := Check(kind, &sc, o)
			out, err := write(plan(name), &sc, o)
			if checked != nil {
				if err == nil || err.Error() != checked.Error() {
					t.Fatalf("%s: Check refused (%v) but it wrote %q, %v", kind, checked, out, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: Check accepted but writing failed: %v", kind, err)
			}
			sameData(t, write, plan, &sc, o, name, kind, wantCrons)
		}
	})
}

// sameData writes the manifests for a plan of the scenario named name,
// checks they hold exactly the documents expected, and that they hold
// the same data as for a plainly named scenario.
func sameData(t *testing.T, write func(*results.Plan, *scenarios.Scenario, Options) ([]byte, error),
	plan func(string) *results.Plan, sc *scenarios.Scenario, o Options, name, kind string, crons []string) {
	t.Helper()
	out, err := write(plan(name), sc, o)
	if err != nil {
		t.Fatalf("%s %+v: %v", kind, o, err)
	}
	want := o
	if want.Fleet == "" {
		want.Fleet = name
	}
	checkDocs(t, out, kind, want, crons)
	plain, err := write(plan("plain"), sc, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(docs(t, out), docs(t, plain)) {
		t.Fatalf("%s: the scenario's name %q changed more than comments:\n%s", kind, name, out)
	}
}
