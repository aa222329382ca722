package manifests

import (
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/scenarios"
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
	for _, overlay := range []string{"local", "kind"} {
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
		if overlay == "local" && strings.Contains(y, "cpu: 10m") {
			t.Errorf("local overlay has kind's CPU patch")
		}
	}
	if _, err := Render("eks", s); err == nil {
		t.Error("an unknown overlay must fail")
	}
}
