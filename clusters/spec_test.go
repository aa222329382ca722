package clusters

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

func TestSpecForScalesBySpeedup(t *testing.T) {
	sc, err := scenarios.LoadShipped("evening-peak")
	if err != nil {
		t.Fatal(err)
	}
	sc.Speedup = 10
	sc.Nodes.ProvisionDelay = scenarios.Distribution{Fixed: &scenarios.Duration{Duration: 20 * time.Second}}
	sc.Nodes.BootTime = scenarios.Distribution{Uniform: &scenarios.Uniform{Min: scenarios.Duration{Duration: 30 * time.Second}, Max: scenarios.Duration{Duration: 60 * time.Second}}}
	s := SpecFor(sc)
	if s.Nodes.PodsPerNode != sc.Nodes.PodsPerNode || s.Nodes.Max != sc.Nodes.Max {
		t.Errorf("node pool %+v does not follow the scenario", s.Nodes)
	}
	if s.Nodes.Boot != 5*time.Second || s.Nodes.BootMax != 8*time.Second {
		t.Errorf("boot %s–%s, want (20 s + 30–60 s) / 10 = 5–8 s", s.Nodes.Boot, s.Nodes.BootMax)
	}
	if s.TimeScale != 0.1 {
		t.Errorf("time scale %v, want 0.1", s.TimeScale)
	}
}

func TestDecodeObjects(t *testing.T) {
	objs, err := DecodeObjects([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n"))
	if err != nil || len(objs) != 2 || objs[1].GetKind() != "Namespace" {
		t.Fatalf("objects %v, %v", objs, err)
	}
	if _, err := DecodeObjects([]byte("apiVersion: v1\nkind: ConfigMap\n")); err == nil {
		t.Error("an object without a name must be refused")
	}
	if _, err := DecodeObjects([]byte("a: [")); err == nil {
		t.Error("bad YAML must be refused")
	}
}

func TestManifestImages(t *testing.T) {
	objs, err := DecodeObjects([]byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    metadata: {labels: {fleetbench.dev/run: process}}
    spec:
      initContainers: [{name: i, image: busybox}]
      containers: [{name: a, image: redis:7}, {name: b, image: fleetbench/roomserver:dev}]
---
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {fleetbench.dev/run: process}}
spec:
  containers: [{name: a, image: redis:7}]
---
apiVersion: v1
kind: Pod
metadata: {name: faked-by-kwok}
spec:
  containers: [{name: a, image: nginx}]
`))
	if err != nil {
		t.Fatal(err)
	}
	got := manifestImages(objs)
	want := []string{"busybox", "redis:7", "fleetbench/roomserver:dev"}
	if len(got) != len(want) {
		t.Fatalf("images %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("images %v, want %v", got, want)
		}
	}
}

// TestSpecForUnmodelledNodes: without a node model, the cluster has one
// room node that holds every room and nothing to autoscale, as the model.
func TestSpecForUnmodelledNodes(t *testing.T) {
	sc, err := scenarios.LoadShipped("evening-peak")
	if err != nil {
		t.Fatal(err)
	}
	sc.Nodes.PodsPerNode = 0
	n := SpecFor(sc).Nodes
	if n.PodsPerNode != MaxPodsPerNode || n.Min != 1 || n.Max != 1 {
		t.Errorf("node pool %+v, want one static node of %d rooms", n, MaxPodsPerNode)
	}
}

// TestSpecDiffNamesWhatDiffers: a run refused on a cluster made for
// another scenario says which of its settings differ, with both values.
func TestSpecDiffNamesWhatDiffers(t *testing.T) {
	a := DefaultSpec()
	if d := SpecDiff(a, a); d != "" {
		t.Errorf("same spec: %q", d)
	}
	b := a
	b.Nodes.PodsPerNode, b.TimeScale = a.Nodes.PodsPerNode+1, 0.5
	d := SpecDiff(a, b)
	for _, want := range []string{"nodes:", fmt.Sprintf(`"PodsPerNode":%d`, b.Nodes.PodsPerNode), "timeScale: up with 1, wanted 0.5"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff %q lacks %q", d, want)
		}
	}
	if strings.Contains(d, "seed") {
		t.Errorf("diff %q names a field that is the same", d)
	}
}
