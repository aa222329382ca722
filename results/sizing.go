package results

// Sizing is the answer of the sizing check (`sim check`): is the
// configured buffer big enough, and what would be, three ways. It is a
// contract between the model and the reports, written as check.json.
type Sizing struct {
	Scenario   string  `json:"scenario"`
	Knob       string  `json:"knob"` // the field sized, e.g. fleet.policy.minAvailable.count
	Configured int     `json:"configured"`
	Rule       DayRule `json:"rule"`

	NodeRule NodeRule `json:"nodeRule"`
	Analytic Analytic `json:"analytic"`
	Verified Verified `json:"verified"`

	// ConfiguredDays judges the configured value day by day; Pass is
	// whether it meets the target.
	ConfiguredDays DayShare   `json:"configuredDays"`
	ConfiguredCost SizingCost `json:"configuredCost"`
	Pass           bool       `json:"pass"`
	// Recommended is the value to configure: (c), the cheapest value shown
	// to meet the target; 0 when none was found (see Verified).
	Recommended int `json:"recommended,omitempty"`

	// Policies, when asked for (--policies), are the scenario under each
	// buffer policy at its own cheapest passing value.
	Policies []PolicyAnswer `json:"policies,omitempty"`

	// Judged is every value verified, by value: what the answers rest on.
	Judged []DayShare `json:"judged"`

	// SearchDays, VerifyDays and ConfirmDays count the days simulated in
	// each phase.
	SearchDays  int `json:"searchDays"`
	VerifyDays  int `json:"verifyDays"`
	ConfirmDays int `json:"confirmDays"`
	// RunSeconds is the check's wall-clock time (set by the command).
	RunSeconds float64 `json:"runSeconds,omitempty"`

	// ConfiguredRun pools the configured value's verification days: its
	// percentiles are over every day at once, shown, never judged.
	ConfiguredRun *Run `json:"-"`
	// ConfiguredDay and RecommendedDay are the first verification day
	// (one seed) at each value, drawn side by side over the day.
	ConfiguredDay, RecommendedDay *Run `json:"-"`
}

// DayRule states how values are judged: per simulated day, with a
// confidence interval on the share of days that meet every SLO.
type DayRule struct {
	Target     float64 `json:"target"`     // share of days that must meet every SLO
	Confidence float64 `json:"confidence"` // of the intervals, jointly over the looks
	Looks      []int   `json:"looks"`      // days simulated at each decision point
	// LookLevel is each look's Clopper–Pearson level (Bonferroni).
	LookLevel float64 `json:"lookLevel"`
	// SearchDaysPerTrial is how many search days a value must meet to pass.
	SearchDaysPerTrial int    `json:"searchDaysPerTrial"`
	SearchSeeds        string `json:"searchSeeds"`
	VerifySeeds        string `json:"verifySeeds"`
	// ConfirmSeeds judge the verification's answer once more: the days
	// that chose nothing, whose share is the one printed for it.
	ConfirmSeeds string `json:"confirmSeeds"`
	Statement    string `json:"statement"`
}

// Decisions of the day rule.
const (
	Meets     = "meets"
	Misses    = "misses"
	Undecided = "undecided"
)

// DayShare is one value judged day by day on the verification seeds.
type DayShare struct {
	Value int     `json:"value"`
	Days  int     `json:"days"`
	Met   int     `json:"met"` // days that met every SLO
	Share float64 `json:"share"`
	// Low and High bound the share (the rule's joint confidence).
	Low      float64   `json:"low"`
	High     float64   `json:"high"`
	Decision string    `json:"decision"`
	SLOs     []SLODays `json:"slos"`
}

// SLODays is one SLO over a value's days: how many met it, and its value
// pooled over every day (shown, not judged).
type SLODays struct {
	SLO    string  `json:"slo"`
	Limit  float64 `json:"limit"`
	Met    int     `json:"met"`
	Pooled float64 `json:"pooled"`
}

// NodeRule is OpenKruiseGame's node-size rule: minAvailable ≥ podsPerNode ×
// spare nodes keeps that many idle nodes ahead of the autoscaler.
type NodeRule struct {
	Applies         bool       `json:"applies"`
	PodsPerNode     int        `json:"podsPerNode"`
	ConfiguredSpare int        `json:"configuredSpareNodes"`
	NodeLead        float64    `json:"nodeLeadSeconds"` // batch + provision + boot + startup + tick
	PeakDemand      float64    `json:"peakDemandDuringLead"`
	SpareNodes      int        `json:"spareNodesNeeded"`
	Recommended     int        `json:"recommended"`
	Cost            SizingCost `json:"cost"`
	Days            *DayShare  `json:"days,omitempty"`
}

// Analytic is the formula answer at the peak allocation rate.
type Analytic struct {
	PeakRate     float64 `json:"peakAllocationsPerSecond"`
	Lead         float64 `json:"leadSeconds"`         // pod startup
	LeadWithNode float64 `json:"leadWithNodeSeconds"` // + provision + boot, when a node is needed
	Formula      string  `json:"formula"`
	Min          int     `json:"min"`         // pods land on free node capacity
	MinWithNode  int     `json:"minWithNode"` // every replacement waits for a node
	// SyncCap is the least minAvailable that can sustain the peak at all
	// under OpenKruiseGame's rule, which adds at most minAvailable servers
	// per sync when servers are recycled: ⌈λ·T⌉ (0 when it does not apply).
	SyncCap         int        `json:"syncCap,omitempty"`
	Cost            SizingCost `json:"cost"`
	Note            string     `json:"note,omitempty"`
	MinDays         *DayShare  `json:"minDays,omitempty"`
	MinWithNodeDays *DayShare  `json:"minWithNodeDays,omitempty"`
}

// Verified is the smallest value the model shows meets the target share
// of days, with the value below it for contrast.
type Verified struct {
	Found bool `json:"found"`
	Min   int  `json:"min"`
	// Proposed is the verification walk's answer, which Min is once the
	// confirmation days show it to meet the target; Days are those days.
	Proposed int        `json:"proposed,omitempty"`
	Cost     SizingCost `json:"cost"`
	Days     *DayShare  `json:"days,omitempty"`
	Below    *DayShare  `json:"below,omitempty"`
	// TimeToRoomP99 and FailureShare are over its confirmation days
	// pooled (shown, never judged): p99 time to room in seconds, and
	// allocation failures per match.
	TimeToRoomP99 float64 `json:"timeToRoomP99,omitempty"`
	FailureShare  float64 `json:"failureShare,omitempty"`
	// Failing are the SLOs missed where a fruitless search stopped.
	Failing []string `json:"failing,omitempty"`
	// StoppedAt is where a fruitless search stopped: at the cap, where no
	// match waited any more (more buffer cannot help), or where no value
	// up to it could be shown to meet the target.
	StoppedAt int    `json:"stoppedAt,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// SizingCost is the cost of holding a buffer over the scenario: idle
// server-hours, and money where the scenario prices nodes.
type SizingCost struct {
	IdleServerHours float64 `json:"idleServerHours"`
	Money           float64 `json:"money"` // of the idle server-hours
	// FleetMoney is the whole fleet's cost over the scenario (DES only).
	FleetMoney float64 `json:"fleetMoney,omitempty"`
	Simulated  bool    `json:"simulated"` // from the DES rather than an estimate
}

// PolicyAnswer is one buffer policy's DES-verified minimum.
type PolicyAnswer struct {
	Policy   string   `json:"policy"`
	Set      string   `json:"set"` // the --set that selects it
	Knob     string   `json:"knob"`
	Verified Verified `json:"verified"`
}
