package local

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
)

func testSpecForUnits() clusters.Spec {
	s := clusters.DefaultSpec()
	s.Nodes = clusters.NodePool{PodsPerNode: 7, Min: 2, Max: 10, Boot: 2 * time.Second, BootMax: 3 * time.Second, ConsolidateAfter: time.Minute, ConsolidationBudget: "3", HourlyCost: 0.34}
	return s
}

func TestInstanceTypeHoldsPodsPerNode(t *testing.T) {
	b, err := instanceTypes(testSpecForUnits())
	if err != nil {
		t.Fatal(err)
	}
	var types []struct {
		Name      string
		Resources map[string]string
		Offerings []struct{ Price float64 }
	}
	if err := json.Unmarshal(b, &types); err != nil {
		t.Fatal(err)
	}
	if len(types) != 1 || types[0].Name != clusters.InstanceType {
		t.Fatalf("instance types %+v", types)
	}
	// 7 rooms of 1000m each, plus the 100m Karpenter's kwok provider reserves.
	if cpu := types[0].Resources["cpu"]; cpu != "7100m" {
		t.Errorf("cpu %s, want 7100m", cpu)
	}
	if p := types[0].Offerings[0].Price; p != 0.34 {
		t.Errorf("price %v, want the scenario's hourly cost", p)
	}
}

func TestNodePoolLimitsAndConsolidation(t *testing.T) {
	np := nodePool(testSpecForUnits())
	// Room for (max − min) = 8 nodes of 7100m capacity (Karpenter counts the reserve).
	for _, want := range []string{"cpu: 56800m", "consolidateAfter: 1m0s", "consolidationPolicy: WhenEmpty", "node.kubernetes.io/not-ready", `- nodes: "3"`} {
		if !strings.Contains(np, want) {
			t.Errorf("NodePool lacks %q:\n%s", want, np)
		}
	}
	s := testSpecForUnits()
	s.Nodes.ConsolidationBudget = ""
	if np := nodePool(s); !strings.Contains(np, `- nodes: "10%"`) {
		t.Errorf("a spec without a budget should get Karpenter's default 10%%:\n%s", np)
	}
}

func TestSchedulerStrategy(t *testing.T) {
	s := testSpecForUnits()
	if cfg := schedulerConfig(s, "k"); !strings.Contains(cfg, "MostAllocated") {
		t.Error("packed fleets need MostAllocated scoring")
	}
	s.Packed = false
	if cfg := schedulerConfig(s, "k"); !strings.Contains(cfg, "LeastAllocated") {
		t.Error("distributed fleets need LeastAllocated scoring")
	}
}
