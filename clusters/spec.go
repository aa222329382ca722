package clusters

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// Labels and annotations shared by the providers, the pod runner and the
// stack's manifests.
const (
	// RunLabel marks pods the local provider's runner realizes as
	// processes; kwok's pod stages skip them.
	RunLabel      = "fleetbench.dev/run"
	RunAsProcess  = "process"
	PoolLabel     = "fleetbench.dev/pool"
	PoolSystem    = "system" // matchmaker, fleetd, Redis
	PoolRooms     = "rooms"  // room servers, autoscaled
	NodePoolName  = "rooms"
	InstanceType  = "fleetbench-rooms"
	Zone          = "fleetbench-a"
	DefaultName   = "fleetbench"
	FieldManager  = "fleetbench"
	RoomCPUMillis = 1000 // each room server requests one core; a node has podsPerNode of them
	// MaxPodsPerNode is a kubelet's default pod limit.
	MaxPodsPerNode = 110
	// DownUntilAnnotation (RFC 3339, on a pod the local runner realizes)
	// kills the pod's processes and holds their restart until that time: a
	// process that is down for a while, at the same pod and address.
	DownUntilAnnotation = "fleetbench.dev/down-until"
	// NodeClaimLabel names the Karpenter NodeClaim a node realizes where
	// the node's name does not (kind's node containers): its kubelet
	// registers with it, so the node is known by its claim at once.
	NodeClaimLabel = "fleetbench.dev/nodeclaim"
	// MachineStartedAnnotation (RFC 3339) is when a node's machine
	// started, before it joined: a stage of its scale-up.
	MachineStartedAnnotation = "fleetbench.dev/machine-started"
	// NodeJoinFailedReason is the reason of the Event a node that never
	// joined leaves (on its NodeClaim): a run reports it by name.
	NodeJoinFailedReason = "NodeJoinFailed"
)

// Spec is what a provider needs from a scenario: the node pool and the
// delays it realizes. Times are already divided by the scenario's speedup.
type Spec struct {
	Name  string
	Nodes NodePool
	// PodStartup is sampled by the local runner before it starts a pod's
	// process (image pull and container start on a real node).
	PodStartup scenarios.Distribution
	// TimeScale multiplies every sampled scenario time (1/speedup).
	TimeScale float64
	// Packed scheduling scores nodes MostAllocated (Agones' Packed).
	Packed bool
	Seed   uint64
	// Controller is the fleet controller the cluster hosts beside the
	// stack: ControllerFleetd (nothing to install; "" means it too) or
	// ControllerOKG (OpenKruise, kruise-game and KEDA).
	Controller string
}

// The fleet controllers a cluster can host.
const (
	ControllerFleetd = "fleetd"
	ControllerOKG    = "okg"
)

// NodePool is the room-server node pool: Karpenter's NodePool plus the
// static nodes below its minimum.
type NodePool struct {
	PodsPerNode int
	Min, Max    int
	// Initial is how many room nodes a run starts with (a fixed pool's
	// size where nodes are not autoscaled: kind).
	Initial int
	// Boot is the delay from a node's creation to Ready (provisioning +
	// boot), realized by a kwok stage as uniform on [Boot, BootMax].
	Boot, BootMax    time.Duration
	ConsolidateAfter time.Duration
	// ConsolidationBudget is Karpenter's disruption budget for the pool:
	// a count or a percentage ("10%").
	ConsolidationBudget string
	HourlyCost          float64
}

// DefaultSpec is a small pool for tests and `cluster up` without a scenario.
func DefaultSpec() Spec {
	return Spec{
		Name:       DefaultName,
		Nodes:      NodePool{PodsPerNode: 7, Min: 1, Max: 10, Initial: 1, Boot: 5 * time.Second, BootMax: 5 * time.Second, ConsolidateAfter: 30 * time.Second, ConsolidationBudget: "10%", HourlyCost: 0.34},
		PodStartup: scenarios.Distribution{Fixed: &scenarios.Duration{Duration: time.Second}},
		TimeScale:  1,
		Packed:     true,
		Seed:       1,
	}
}

// SpecFor derives the cluster from a validated scenario. A scenario
// without a node model (podsPerNode 0) has no node limit in the model:
// it gets one static room node as large as a kubelet allows, and no
// autoscaling (a pool of small nodes added nodes the model never has).
func SpecFor(sc *scenarios.Scenario) Spec {
	s := DefaultSpec()
	scale := 1 / sc.Speedup // validated > 0
	s.TimeScale = scale
	s.PodStartup = sc.Fleet.PodStartup
	s.Packed = sc.Fleet.Scheduling != scenarios.Distributed
	s.Seed = sc.Seed
	if sc.Fleet.Controller == scenarios.OKG {
		s.Controller = ControllerOKG
	}
	if sc.Nodes.PodsPerNode == 0 {
		s.Nodes.PodsPerNode, s.Nodes.Min, s.Nodes.Max, s.Nodes.Initial = MaxPodsPerNode, 1, 1, 1
	}
	if n := sc.Nodes; n.PodsPerNode > 0 {
		lo, hi := bounds(n.ProvisionDelay)
		blo, bhi := bounds(n.BootTime)
		s.Nodes = NodePool{
			PodsPerNode:         n.PodsPerNode,
			Min:                 n.Min,
			Max:                 n.Max,
			Initial:             n.Initial,
			Boot:                seconds((lo + blo) * scale),
			BootMax:             seconds((hi + bhi) * scale),
			ConsolidateAfter:    seconds(n.ScaleDownAfter.Seconds() * scale),
			ConsolidationBudget: n.ConsolidationBudget.String(),
			HourlyCost:          n.HourlyCost,
		}
	}
	return s
}

// bounds is the range kwok's uniform delay uses for a distribution: exact
// for fixed and uniform, the mean for the others (kwok has no other law).
func bounds(d scenarios.Distribution) (lo, hi float64) {
	if d.Uniform != nil {
		return d.Uniform.Min.Seconds(), d.Uniform.Max.Seconds()
	}
	m := d.Sampler().Mean()
	return m, m
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// SpecDiff names the fields in which two specs differ, with both values
// ("" when they are the same).
func SpecDiff(was, now Spec) string {
	var out []string
	for _, f := range []struct {
		name     string
		was, now any
	}{
		{"name", was.Name, now.Name}, {"nodes", was.Nodes, now.Nodes}, {"podStartup", was.PodStartup, now.PodStartup},
		{"timeScale", was.TimeScale, now.TimeScale}, {"packed", was.Packed, now.Packed}, {"seed", was.Seed, now.Seed},
	} {
		if !reflect.DeepEqual(f.was, f.now) {
			a, _ := json.Marshal(f.was)
			b, _ := json.Marshal(f.now)
			out = append(out, fmt.Sprintf("%s: up with %s, wanted %s", f.name, a, b))
		}
	}
	return strings.Join(out, "; ")
}
