package clusters

import (
	"encoding/json"
	"fmt"
)

// KarpenterInstanceTypes is the instance-type file of Karpenter's kwok
// provider (also read by the kind provider): one type, InstanceType, in
// one zone, on demand at price per hour, with these resources.
func KarpenterInstanceTypes(price float64, resources map[string]string) ([]byte, error) {
	type req struct {
		Key      string   `json:"key"`
		Operator string   `json:"operator"`
		Values   []string `json:"values"`
	}
	type offering struct {
		Price        float64 `json:"Price"`
		Available    bool    `json:"Available"`
		Requirements []req   `json:"Requirements"`
	}
	return json.MarshalIndent([]map[string]any{{
		"name": InstanceType,
		"offerings": []offering{{Price: price, Available: true, Requirements: []req{
			{"karpenter.sh/capacity-type", "In", []string{"on-demand"}},
			{"topology.kubernetes.io/zone", "In", []string{Zone}},
		}}},
		"architecture":     "amd64",
		"operatingSystems": []string{"linux"},
		"resources":        resources,
	}}, "", "  ")
}

// KarpenterNodePool is the room pool's NodePool and its (kwok) node
// class: nodes labelled for rooms, consolidated once empty for
// ConsolidateAfter under the pool's budget, limited by limit ("cpu: 7m";
// "" for none). kwokNodes adds the not-ready startup taint that a real
// kubelet registers with and kwok's nodes, made by Karpenter, lack.
func KarpenterNodePool(s Spec, limit string, kwokNodes bool) string {
	if limit != "" {
		limit = "  limits:\n    " + limit + "\n"
	}
	budget := s.Nodes.ConsolidationBudget
	if budget == "" {
		budget = "10%" // Karpenter's default
	}
	startup := ""
	if kwokNodes {
		startup = `      startupTaints:
      - key: node.kubernetes.io/not-ready
        effect: NoSchedule
`
	}
	return fmt.Sprintf(`apiVersion: karpenter.kwok.sh/v1alpha1
kind: KWOKNodeClass
metadata:
  name: default
---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: %s
spec:
  template:
    metadata:
      labels:
        %s: %s
    spec:
      nodeClassRef:
        group: karpenter.kwok.sh
        kind: KWOKNodeClass
        name: default
      expireAfter: Never
%s      requirements:
      - key: node.kubernetes.io/instance-type
        operator: In
        values: [%s]
%s  disruption:
    consolidationPolicy: WhenEmpty
    consolidateAfter: %s
    budgets:
    - nodes: %q
`, NodePoolName, PoolLabel, PoolRooms, startup, InstanceType, limit, s.Nodes.ConsolidateAfter, budget)
}
