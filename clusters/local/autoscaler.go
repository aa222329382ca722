package local

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
)

//go:embed assets/kwok.yaml
var kwokTemplate string

//go:embed assets/node-ready.yaml
var nodeReadyStage string

// kwokConfig is kwok's configuration with the node boot delay of the spec.
func kwokConfig(s clusters.Spec) string {
	bootMax := max(s.Nodes.BootMax, s.Nodes.Boot)
	r := strings.NewReplacer(
		"__BOOT_MS__", strconv.FormatInt(s.Nodes.Boot.Milliseconds(), 10),
		"__BOOT_MAX_MS__", strconv.FormatInt(bootMax.Milliseconds(), 10),
		"__BOOT_LEFT__", bootLeft(s.Nodes.Boot),
		"__BOOT_MAX_LEFT__", bootLeft(bootMax),
		"__NODE_READY__", nodeReadyStage,
	)
	return r.Replace(kwokTemplate)
}

// bootLeft is a jq expression for the time left of a boot of d that
// started when the node registered: registration + d − now, as a Go
// duration string ("12500ms"; negative when overdue). jq's dates have
// whole seconds, so a fraction in the RFC 3339 time is added back.
func bootLeft(d time.Duration) string {
	return `.status.conditions[] | select(.type == "Ready") | .lastTransitionTime | ` +
		`((.[0:19] + "Z" | fromdate) + ("0" + .[19:-1] | tonumber) + ` + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) +
		` - now | . * 1000 | floor | tostring) + "ms"`
}

// instanceTypes is Karpenter's kwok instance-type file: one type whose
// CPU holds podsPerNode room servers, priced at the scenario's hourly cost.
func instanceTypes(s clusters.Spec) ([]byte, error) {
	return clusters.KarpenterInstanceTypes(s.Nodes.HourlyCost, map[string]string{
		"cpu": roomCapacity(s), "memory": strconv.Itoa(s.Nodes.PodsPerNode) + "Gi", "pods": strconv.Itoa(clusters.MaxPodsPerNode)})
}

// kubeReservedMillis is the CPU Karpenter's kwok provider reserves on every
// instance type (its fixed kube-reserved overhead).
const kubeReservedMillis = 100

// roomCapacity is a room node's CPU capacity: podsPerNode rooms fit in
// what is allocatable once Karpenter's reserve is taken off.
func roomCapacity(s clusters.Spec) string {
	return strconv.Itoa(s.Nodes.PodsPerNode*clusters.RoomCPUMillis+kubeReservedMillis) + "m"
}

func roomAllocatable(s clusters.Spec) string {
	return strconv.Itoa(s.Nodes.PodsPerNode*clusters.RoomCPUMillis) + "m"
}

// nodePool is Karpenter's NodePool for room servers: nodes above the
// static minimum, consolidated once empty for scaleDownAfter.
func nodePool(s clusters.Spec) string {
	limit := ""
	// Karpenter counts a node's capacity against the limit, reserve
	// included: (max − min) nodes of podsPerNode rooms and the reserve.
	if extra := s.Nodes.Max - s.Nodes.Min; extra >= 0 {
		limit = fmt.Sprintf("cpu: %dm", extra*(s.Nodes.PodsPerNode*clusters.RoomCPUMillis+kubeReservedMillis))
	}
	return clusters.KarpenterNodePool(s, limit, true)
}

// schedulerConfig makes kube-scheduler pack (MostAllocated, Agones'
// Packed strategy) or spread (LeastAllocated, its default).
func schedulerConfig(s clusters.Spec, kubeconfig string) string {
	strategy := "LeastAllocated"
	if s.Packed {
		strategy = "MostAllocated"
	}
	return fmt.Sprintf(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %q
  qps: 200
  burst: 400
leaderElection:
  leaderElect: false
profiles:
- schedulerName: default-scheduler
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: %s
        resources:
        - name: cpu
          weight: 1
`, kubeconfig, strategy)
}
