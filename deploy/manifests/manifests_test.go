package manifests

import (
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/conformance"
	"github.com/fleetbench/fleetbench/scenarios"
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
