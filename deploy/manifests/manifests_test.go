package manifests

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/conformance"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/settings"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func TestRenderWithScenario(t *testing.T) {
	sc, err := scenarios.LoadShipped("rolling-deploy")
	if err != nil {
		t.Fatal(err)
	}
	s, err := SettingsFor(sc)
	if err != nil {
		t.Fatal(err)
	}
	for _, overlay := range []string{"base", "kind"} {
		out, err := Render(overlay, s)
		if err != nil {
			t.Fatalf("%s: %v", overlay, err)
		}
		y := string(out)
		for _, want := range []string{"kind: PodTemplate", "name: fleetbench-token", "namespace: fleetbench", "--per-match", "--policy", "--after-match", "kind: Role"} {
			if !strings.Contains(y, want) {
				t.Errorf("%s overlay lacks %q", overlay, want)
			}
		}
		if overlay == "kind" && (!strings.Contains(y, "cpu: 10m") || !strings.Contains(y, "imagePullPolicy: Never")) {
			t.Errorf("kind overlay lacks its patches")
		}
		if overlay == "base" && strings.Contains(y, "cpu: 10m") {
			t.Errorf("local overlay has kind's CPU patch")
		}
	}
	if _, err := Render("eks", s); err == nil {
		t.Error("an unknown overlay must fail")
	}
}

// The room server gets the scenario's pod startup at the scenario's
// speedup (the deploy drops it where the cluster realizes it).
func TestRoomStartupIsTheScenariosAtItsSpeedup(t *testing.T) {
	sc, err := scenarios.Parse([]byte("apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: x\nspeedup: 2\nfleet: {podStartup: {uniform: {min: 2s, max: 6s}}}\n"), ".")
	if err != nil {
		t.Fatal(err)
	}
	s, err := SettingsFor(sc)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.RoomServer.Startup.String(); got != "uniform 1s 3s" {
		t.Errorf("room startup %q, want uniform 1s 3s", got)
	}
	out, err := Render("kind", s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "--startup-delay=uniform 1s 3s") {
		t.Errorf("the room's args lack its startup:\n%s", out)
	}
}

// The known answers add the room's readiness period to a real run's
// time to a starting room; they must add the period the stack deploys.
func TestRoomReadinessPeriodIsConformances(t *testing.T) {
	sc, err := conformance.Load("exhausted")
	if err != nil {
		t.Fatal(err)
	}
	s, err := SettingsFor(sc)
	if err != nil {
		t.Fatal(err)
	}
	for _, overlay := range []string{"base", "kind"} {
		out, err := Render(overlay, s)
		if err != nil {
			t.Fatalf("%s: %v", overlay, err)
		}
		found := false
		for _, doc := range strings.Split(string(out), "\n---\n") {
			var tmpl corev1.PodTemplate
			if err := yaml.Unmarshal([]byte(doc), &tmpl); err != nil || tmpl.Kind != "PodTemplate" {
				continue
			}
			found = true
			p := tmpl.Template.Spec.Containers[0].ReadinessProbe
			if p == nil {
				t.Fatalf("%s overlay: the room has no readiness probe", overlay)
			}
			if float64(p.PeriodSeconds) != conformance.ReadinessPeriod {
				t.Errorf("%s overlay: room readiness period %d s, the known answers assume %g s", overlay, p.PeriodSeconds, conformance.ReadinessPeriod)
			}
		}
		if !found {
			t.Errorf("%s overlay renders no PodTemplate", overlay)
		}
	}
}

// Each of a scenario's words reaches its component's flag as the same
// word, which the component's flags take back.
func TestScenarioWordsReachTheFlags(t *testing.T) {
	for _, words := range [][4]string{{"start", "wait", "recycle", "packed"}, {"requeue", "fail", "reuse", "distributed"}} {
		doc, err := scenarios.ShippedDocument("steady")
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenarios.ParseWith(doc, ".", []scenarios.Override{{Path: "players.onTimeout", Value: words[0]},
			{Path: "players.allocation.onNoServer", Value: words[1]}, {Path: "fleet.afterMatch", Value: words[2]}, {Path: "fleet.scheduling", Value: words[3]}})
		if err != nil {
			t.Fatal(err)
		}
		s, err := SettingsFor(sc)
		if err != nil {
			t.Fatal(err)
		}
		mm, rs := s.Matchmaker.Args(), s.RoomServer.Args()
		for _, want := range []string{"--on-timeout=" + words[0], "--on-no-server=" + words[1], "--placement=" + words[3]} {
			if !slices.Contains(mm, want) {
				t.Errorf("matchmaker %v lacks %s", mm, want)
			}
		}
		if want := "--after-match=" + words[2]; !slices.Contains(rs, want) {
			t.Errorf("room server %v lacks %s", rs, want)
		}
		m, r := settings.DefaultMatchmaker(), settings.DefaultRoomServer()
		roundTrip(t, mm, m.Register)
		roundTrip(t, rs, r.Register)
		if m != s.Matchmaker || r != s.RoomServer {
			t.Errorf("%v: read back as %+v, %+v; want %+v, %+v", words, m, r, s.Matchmaker, s.RoomServer)
		}
	}
}

func roundTrip(t *testing.T, args []string, register func(*flag.FlagSet)) {
	t.Helper()
	fs := flag.NewFlagSet("component", flag.ContinueOnError)
	register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
}
