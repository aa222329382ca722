// Package scenarios defines the fleetbench scenario file (apiVersion
// fleetbench/v1alpha1, kind Scenario): its types, strict loading, defaults
// and validation. Both the model (sim) and the real run (loadgen) consume it.
package scenarios

// APIVersion and Kind identify a scenario document.
const (
	APIVersion = "fleetbench/v1alpha1"
	Kind       = "Scenario"
)

// Scenario describes one world: arrivals, matches, fleet policy, nodes,
// a timeline of disruptions and the SLOs to judge it by.
type Scenario struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Name       string   `yaml:"name"`
	Seed       uint64   `yaml:"seed"`
	Duration   Duration `yaml:"duration"`
	Speedup    float64  `yaml:"speedup"`
	Arrivals   Arrivals `yaml:"arrivals"`
	Players    Players  `yaml:"players"`
	Fleet      Fleet    `yaml:"fleet"`
	Nodes      Nodes    `yaml:"nodes"`
	Timeline   []Event  `yaml:"timeline"`
	SLO        SLO      `yaml:"slo"`

	// dir is the directory of the scenario file; trace files resolve against it.
	dir string
	// traces holds the parsed trace CSVs by segment index.
	traces map[int][]TracePoint
}

// Arrivals is the player arrival curve in players per second.
type Arrivals struct {
	Process  Process   `yaml:"process"` // poisson | uniform
	Segments []Segment `yaml:"segments"`
}

// Segment is one piece of the arrival curve; exactly one shape is set.
// For omitted means "until the end of the scenario".
type Segment struct {
	For      *Duration `yaml:"for"`
	Constant *Rate     `yaml:"constant"`
	Step     *Rate     `yaml:"step"`
	Linear   *Linear   `yaml:"linear"`
	Sine     *Sine     `yaml:"sine"`
	Burst    *Burst    `yaml:"burst"`
	Trace    *Trace    `yaml:"trace"`
}

// Rate is a constant rate in players per second.
type Rate struct {
	Rate float64 `yaml:"rate"`
}

// Linear ramps from From to To over the segment.
type Linear struct {
	From float64 `yaml:"from"`
	To   float64 `yaml:"to"`
}

// Sine is mean + amplitude·sin(2π(t+phase)/period) on the scenario clock,
// so a 24h period lines up with the day whatever segment it sits in.
type Sine struct {
	Mean      float64  `yaml:"mean"`
	Amplitude float64  `yaml:"amplitude"`
	Period    Duration `yaml:"period"`
	Phase     Duration `yaml:"phase"`
}

// Burst keeps the previous segment's final rate as its base and adds Extra
// players/s during [At, At+Width) measured from the segment's start.
type Burst struct {
	Extra float64  `yaml:"extra"`
	At    Duration `yaml:"at"`
	Width Duration `yaml:"width"`
}

// Trace replays a CSV of `t_seconds,rate` rows (relative to the segment's
// start), interpolated linearly and held after the last row.
type Trace struct {
	File string `yaml:"file"`
}

// TracePoint is one parsed row of a trace file.
type TracePoint struct {
	T, Rate float64
}

// Players describes matchmaking, sessions and client behaviour.
type Players struct {
	PerMatch       int          `yaml:"perMatch"`
	MatchTimeout   Duration     `yaml:"matchTimeout"`
	OnTimeout      OnTimeout    `yaml:"onTimeout"` // start | requeue
	SessionLength  Distribution `yaml:"sessionLength"`
	Allocation     Allocation   `yaml:"allocation"`
	Disconnect     Disconnect   `yaml:"disconnect"`
	RecoveryWindow Duration     `yaml:"recoveryWindow"`
}

// Allocation says what a match does when no Ready server is free.
type Allocation struct {
	OnNoServer OnNoServer `yaml:"onNoServer"` // wait | fail
	Timeout    Duration   `yaml:"timeout"`
}

// Disconnect is the chance that a session drops once, and the client's
// reconnect backoff.
type Disconnect struct {
	Probability float64 `yaml:"probability"`
	Backoff     Backoff `yaml:"backoff"`
}

// Backoff is exponential client backoff: min(max, base·2^attempt), with
// a jitter fraction taken off at random.
type Backoff struct {
	Base   Duration `yaml:"base"`
	Max    Duration `yaml:"max"`
	Jitter float64  `yaml:"jitter"`
}

// Fleet is the game-server fleet and its buffer controller.
type Fleet struct {
	Policy       Policy       `yaml:"policy"`
	SyncInterval Duration     `yaml:"syncInterval"` // 0 = act on every event
	PodStartup   Distribution `yaml:"podStartup"`
	AfterMatch   AfterMatch   `yaml:"afterMatch"` // recycle | reuse
	IdleTimeout  Duration     `yaml:"idleTimeout"`
	Scheduling   Scheduling   `yaml:"scheduling"` // packed | distributed
	Update       Update       `yaml:"update"`
	// Controller is what runs the fleet: fleetd (also when unset, which
	// keeps the hash of scenarios written before it) or okg. Under okg the
	// model puts the HPA in front of the fleet as `sim plan --emit okg`
	// writes it, unless fleet.hpa says otherwise.
	Controller Controller `yaml:"controller,omitempty"`
	// HPA, when set, puts Kubernetes' HorizontalPodAutoscaler between the
	// minAvailable rule and the fleet, as KEDA does when it serves
	// OpenKruiseGame's external scaler (OpenKruiseGame as deployed): the
	// fleet then acts on the HPA's sync (KEDA asks the scaler on each),
	// and syncInterval is KEDA's pollingInterval, which only activates a
	// fleet scaled to zero. Unset fields take Kubernetes' defaults.
	HPA *HPA `yaml:"hpa"`
	// Room is the game server's own load in a real run: how often a room
	// sends its state and how big a full room's state is. The model's
	// answers do not depend on it; what a host can carry does. Unset keeps
	// the room server's defaults (20 Hz, ~45 bytes a player) and the hash
	// of scenarios written before it.
	Room *Room `yaml:"room,omitempty"`
}

// Room is a game server's tick and state size.
type Room struct {
	// TickRate is states per wall second (not scaled by speedup: a
	// game's tick is its CPU cost, whatever the scenario's pace).
	TickRate float64 `yaml:"tickRate,omitempty"`
	// StateBytes is a full room's state message: the room server pads
	// its own state (~45 bytes a player) up to it (0: no padding).
	StateBytes int `yaml:"stateBytes,omitempty"`
}

// DefaultTickRate is the room server's own tick rate.
const DefaultTickRate = 20

// RoomTickRate is the scenario's tick rate, or the default.
func (s *Scenario) RoomTickRate() float64 {
	if s.Fleet.Room != nil && s.Fleet.Room.TickRate > 0 {
		return s.Fleet.Room.TickRate
	}
	return DefaultTickRate
}

// HPA is a HorizontalPodAutoscaler's tolerance and behavior.
type HPA struct {
	// SyncPeriod is kube-controller-manager's
	// --horizontal-pod-autoscaler-sync-period (default 15s).
	SyncPeriod Duration `yaml:"syncPeriod"`
	// Tolerance is --horizontal-pod-autoscaler-tolerance (default 0.1),
	// each direction's own tolerance overriding it.
	Tolerance *float64  `yaml:"tolerance"`
	ScaleUp   *HPARules `yaml:"scaleUp"`   // default: at once, max(4 pods, 100%) per 15s
	ScaleDown *HPARules `yaml:"scaleDown"` // default: 300s window, 100% per 15s
}

// HPARules is one direction's behavior (Kubernetes' HPAScalingRules).
type HPARules struct {
	// Tolerance is behavior.<direction>.tolerance: honoured from
	// Kubernetes 1.35 (HPAConfigurableTolerance, beta and on by default;
	// alpha in 1.33), ignored before.
	Tolerance           *float64    `yaml:"tolerance"`
	StabilizationWindow Duration    `yaml:"stabilizationWindow"`
	SelectPolicy        string      `yaml:"selectPolicy"` // Max (default) | Min | Disabled
	Policies            []HPAPolicy `yaml:"policies"`
}

// HPAPolicy allows Value pods (or percent) of change per Period.
type HPAPolicy struct {
	Type   string   `yaml:"type"` // Pods | Percent
	Value  int      `yaml:"value"`
	Period Duration `yaml:"period"`
}

// Policy is the buffer policy; exactly one of MinAvailable and Buffer is set.
type Policy struct {
	MinAvailable *MinAvailable `yaml:"minAvailable"`
	Buffer       *Buffer       `yaml:"buffer"`
	// CountWaiting makes the policy demand-aware: matches waiting for a
	// server count as demand, so a replacement is ordered when a request
	// arrives rather than when a server is taken.
	CountWaiting bool `yaml:"countWaiting"`
	// Schedule changes the policy's count (minAvailable.count or
	// buffer.size) over the scenario: each step's count applies from its
	// at until the next step's; before the first, the policy's own count.
	// It is what `sim plan` writes.
	Schedule []ScheduleStep `yaml:"schedule"`
}

// ScheduleStep is one step of a buffer schedule, at scenario time At.
type ScheduleStep struct {
	At    Duration `yaml:"at"`
	Count int      `yaml:"count"`
}

// CountAt is the policy's count in force at scenario time t (seconds),
// given its own count: the last schedule step at or before t, or base.
func (p Policy) CountAt(t float64, base int) int {
	n := base
	for _, s := range p.Schedule {
		if s.At.Seconds() > t {
			break
		}
		n = s.Count
	}
	return n
}

// MinAvailable is OpenKruiseGame's rule: keep at least Count (or
// Fraction of replicas) servers in opsState None, Ready or not.
// Max caps the total replicas (0 = no cap).
type MinAvailable struct {
	Count    *int     `yaml:"count"`
	Fraction *float64 `yaml:"fraction"`
	Max      int      `yaml:"max"`
}

// Buffer is the Agones fleet autoscaler buffer policy.
type Buffer struct {
	Size    *int     `yaml:"size"`
	Percent *float64 `yaml:"percent"`
	Min     int      `yaml:"min"`
	Max     int      `yaml:"max"`
}

// Update is the fleet's update strategy; exactly one is set.
type Update struct {
	OnDelete      *struct{}      `yaml:"onDelete"`
	RollingUpdate *RollingUpdate `yaml:"rollingUpdate"`
}

// RollingUpdate bounds a rollout's surge and unavailability, each an
// integer or a percentage of the desired replicas ("25%").
type RollingUpdate struct {
	MaxSurge       IntOrPercent `yaml:"maxSurge"`
	MaxUnavailable IntOrPercent `yaml:"maxUnavailable"`
	// DrainAllocated also replaces rooms in play (a forced deploy): their
	// servers drain, and each player reconnects to the match's new room.
	// Without it Allocated rooms are left to finish their match.
	DrainAllocated bool `yaml:"drainAllocated"`
}

// Nodes is the node pool and its autoscaler.
type Nodes struct {
	PodsPerNode    int          `yaml:"podsPerNode"` // 0 = unlimited (no node model)
	Initial        int          `yaml:"initial"`
	Min            int          `yaml:"min"`
	Max            int          `yaml:"max"`
	ProvisionDelay Distribution `yaml:"provisionDelay"`
	BootTime       Distribution `yaml:"bootTime"`
	ScaleDownAfter Duration     `yaml:"scaleDownAfter"`
	// ConsolidationBudget is how many empty nodes the autoscaler removes
	// at a time: a count or a percentage of the pool's nodes, rounded up
	// (Karpenter's NodePool disruption budget; its default is 10%; 0
	// never removes one).
	ConsolidationBudget IntOrPercent `yaml:"consolidationBudget"`
	// HourlyCost is the price of one node-hour (or, without a node model,
	// of one server-hour); 0 reports cost in hours only.
	HourlyCost float64 `yaml:"hourlyCost"`
}

// The node autoscaler batches pending pods as Karpenter does with its
// defaults: a batch closes BatchIdle seconds after its last pending pod,
// or BatchMax seconds after its first. The model and the real run's
// expectations both use these.
const (
	BatchIdle = 1.0
	BatchMax  = 10.0
)

// Event is one timeline entry; exactly one action is set.
type Event struct {
	At            Duration       `yaml:"at"`
	RollingDeploy *RollingDeploy `yaml:"rollingDeploy"`
	NodeLoss      *NodeLoss      `yaml:"nodeLoss"`
	Crash         *Crash         `yaml:"crash"`
	RedisRestart  *RedisRestart  `yaml:"redisRestart"`
}

// Event kinds, as a run's events name them (results.Event.Kind).
const (
	KindRollingDeploy = "rollingDeploy"
	KindNodeLoss      = "nodeLoss"
	KindCrash         = "crash"
	KindRedisRestart  = "redisRestart"
)

// Kinds are the event kinds, each of which disconnects players.
var Kinds = []string{KindRollingDeploy, KindNodeLoss, KindCrash, KindRedisRestart}

// Kind names the event's action ("" when none is set).
func (e Event) Kind() string {
	switch {
	case e.RollingDeploy != nil:
		return KindRollingDeploy
	case e.NodeLoss != nil:
		return KindNodeLoss
	case e.Crash != nil:
		return KindCrash
	case e.RedisRestart != nil:
		return KindRedisRestart
	}
	return ""
}

// RollingDeploy moves the fleet to a new version.
type RollingDeploy struct {
	Version string `yaml:"version"`
}

// NodeLoss deletes Count nodes with everything on them.
type NodeLoss struct {
	Count int `yaml:"count"`
}

// Crash kills Rooms allocated room servers.
type Crash struct {
	Rooms int `yaml:"rooms"`
}

// RedisRestart makes session state unavailable for Downtime; sessions
// that try to recover meanwhile retry until their recovery window closes.
type RedisRestart struct {
	Downtime Duration `yaml:"downtime"`
}

// SLO holds the service-level objectives verdicts are computed against.
type SLO struct {
	TimeToRoom         Percentiles `yaml:"timeToRoom"`
	AllocationFailures *MaxRatio   `yaml:"allocationFailures"`
	StateRecovery      *MinRatio   `yaml:"stateRecovery"`
	AutoscaleLag       Percentiles `yaml:"autoscaleLag"`
}

// Percentiles are latency limits; unset ones are not judged.
type Percentiles struct {
	P50  *Duration `yaml:"p50"`
	P90  *Duration `yaml:"p90"`
	P95  *Duration `yaml:"p95"`
	P99  *Duration `yaml:"p99"`
	P999 *Duration `yaml:"p999"`
}

// MaxRatio is an upper bound on a share (0–1).
type MaxRatio struct {
	Max float64 `yaml:"max"`
}

// MinRatio is a lower bound on a share (0–1).
type MinRatio struct {
	Min float64 `yaml:"min"`
}

// UnmarshalYAML replaces the default policy rather than merging into it.
func (p *Policy) UnmarshalYAML(unmarshal func(any) error) error {
	type plain Policy
	var v plain
	err := unmarshal(&v)
	*p = Policy(v)
	return err
}

// UnmarshalYAML replaces the default strategy rather than merging into it.
func (u *Update) UnmarshalYAML(unmarshal func(any) error) error {
	type plain Update
	var v plain
	err := unmarshal(&v)
	*u = Update(v)
	return err
}
