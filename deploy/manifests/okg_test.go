package manifests

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/emit"
	"github.com/fleetbench/fleetbench/scenarios"
)

func okgScenario(t *testing.T, extra string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse([]byte("apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: x\nspeedup: 1\n"+
		"fleet: {controller: okg, idleTimeout: 90s, policy: {minAvailable: {count: 6, max: 30}}"+extra+"}\n"), ".")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// Under okg the stack has no fleetd: the rooms are the GameServerSet and
// ScaledObject `sim plan --emit okg` writes, with the room server's pod
// template (the overlay's patches and the okg flags in it), and the
// room server and matchmaker may write GameServers.
func TestOKGRendersTheEmittedFleetWithTheRoomTemplate(t *testing.T) {
	sc := okgScenario(t, "")
	s, err := SettingsFor(sc)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render("kind", s)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := clusters.DecodeObjects(out)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]*unstructured.Unstructured{}
	for _, o := range objs {
		byKind[o.GetKind()] = append(byKind[o.GetKind()], o)
		if o.GetName() == "fleetd" || o.GetKind() == "PodTemplate" {
			t.Errorf("%s %s rendered under okg", o.GetKind(), o.GetName())
		}
	}
	if len(byKind["GameServerSet"]) != 1 || len(byKind["ScaledObject"]) != 1 {
		t.Fatalf("kinds %v: want one GameServerSet and one ScaledObject", keys(byKind))
	}
	// The fleet is emit's, field for field, but for the template.
	emitted, err := emit.OKGFleet(sc, emit.Options{Fleet: Fleet, Namespace: Namespace, Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := clusters.DecodeObjects(emitted)
	gss := byKind["GameServerSet"][0]
	for _, path := range [][]string{{"spec", "replicas"}, {"spec", "updateStrategy"}} {
		got, _, _ := unstructured.NestedFieldCopy(gss.Object, path...)
		exp, _, _ := unstructured.NestedFieldCopy(want[0].Object, path...)
		if !equalYAML(got, exp) {
			t.Errorf("GameServerSet %v: %v, emit wrote %v", path, got, exp)
		}
	}
	if !equalYAML(byKind["ScaledObject"][0].Object["spec"], want[1].Object["spec"]) {
		t.Errorf("ScaledObject spec %v, emit wrote %v", byKind["ScaledObject"][0].Object["spec"], want[1].Object["spec"])
	}
	containers, _, _ := unstructured.NestedSlice(gss.Object, "spec", "gameServerTemplate", "spec", "containers")
	if len(containers) != 1 {
		t.Fatalf("gameServerTemplate containers %v", containers)
	}
	c := containers[0].(map[string]any)
	args := strings.Join(toStrings(c["args"]), " ")
	for _, w := range []string{"--controller=okg", "--idle-timeout=1m30s"} {
		if !strings.Contains(args, w) {
			t.Errorf("room server args %q lack %q", args, w)
		}
	}
	if c["imagePullPolicy"] != "Never" {
		t.Errorf("room container %v: the kind overlay's patches are lost", c)
	}
	labels, _, _ := unstructured.NestedStringMap(gss.Object, "spec", "gameServerTemplate", "metadata", "labels")
	if labels["app"] != "roomserver" {
		t.Errorf("room labels %v: the stack selects app=roomserver", labels)
	}
	for _, role := range byKind["Role"] {
		rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
		hasGS := strings.Contains(strings.Join(toStrings(rules[len(rules)-1].(map[string]any)["resources"]), ","), "gameservers")
		if want := role.GetName() == "roomserver" || role.GetName() == "matchmaker"; hasGS != want {
			t.Errorf("Role %s may write GameServers: %v, want %v", role.GetName(), hasGS, want)
		}
	}
	if !strings.Contains(strings.Join(s.Matchmaker.Args(), " "), "--controller=okg") {
		t.Errorf("matchmaker args %v lack --controller=okg", s.Matchmaker.Args())
	}
}

// What the real run under okg cannot do is refused with the field.
func TestOKGRefusals(t *testing.T) {
	for _, c := range []struct {
		extra string
		speed string
		want  error
	}{
		{", hpa: {syncPeriod: 30s}", "", ErrOKGSync},
		{"", "2", ErrOKGSpeedup},
	} {
		sc := okgScenario(t, c.extra)
		if c.speed != "" {
			sc.Speedup = 2
		}
		if _, err := SettingsFor(sc); !errors.Is(err, c.want) {
			t.Errorf("%q speedup %s: %v, want %v", c.extra, c.speed, err, c.want)
		}
	}
	sc := okgScenario(t, "")
	sc.Fleet.Controller = scenarios.Fleetd
	sc.Fleet.HPA = &scenarios.HPA{}
	if _, err := SettingsFor(sc); !errors.Is(err, ErrHPA) || !strings.Contains(err.Error(), "fleet.controller: okg") {
		t.Errorf("fleet.hpa under fleetd: %v, want ErrHPA naming fleet.controller", err)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// equalYAML compares decoded YAML values (numbers may decode as int or
// int64 depending on the reader).
func equalYAML(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }
