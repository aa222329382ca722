package results

// Plan is the answer of `sim plan`: the cheapest piecewise-constant buffer
// it found that meets every SLO, step by step, judged day by day as the
// sizing check judges a value, with its cost beside a constant buffer's.
// It is a contract between the model and the reports, written as plan.json.
type Plan struct {
	Scenario string `json:"scenario"`
	Knob     string `json:"knob"`
	Step     string `json:"step"` // the schedule's step (a duration)
	// LeadSeconds is how far ahead of demand each step is sized: a raised
	// count takes pod startup, a node's lead and a sync to show as rooms.
	LeadSeconds float64    `json:"leadSeconds"`
	Method      string     `json:"method"`
	Steps       []PlanStep `json:"steps"`
	// Found is whether a schedule within the policy's max met the target;
	// otherwise Reason says where the search stopped.
	Found  bool   `json:"found"`
	Reason string `json:"reason,omitempty"`
	// Days judges the schedule on its confirmation seeds (the day rule),
	// which chose nothing.
	Days *DayShare `json:"days,omitempty"`
	// Cost is the schedule's per day (DES, its confirmation days pooled).
	Cost SizingCost `json:"cost"`
	// Constant is the cheapest constant value the sizing check verified
	// ((c)), Configured the scenario's own value: what the plan saves.
	Constant   PlanConstant `json:"constant"`
	Configured PlanConstant `json:"configured"`
	// Repairs counts the rounds that raised steps after a DES check.
	Repairs     int     `json:"repairs"`
	SearchDays  int     `json:"searchDays"`
	VerifyDays  int     `json:"verifyDays"`
	ConfirmDays int     `json:"confirmDays"`
	RunSeconds  float64 `json:"runSeconds,omitempty"`

	// Day is one confirmation day run with the schedule, for the charts.
	Day *Run `json:"-"`
}

// PlanStep is the schedule's count from At on.
type PlanStep struct {
	AtSeconds float64 `json:"atSeconds"`
	At        string  `json:"at"`
	// PeakRate is the highest arrival rate (players/s) the step's count
	// must serve: over the step and the lead after it.
	PeakRate float64 `json:"peakArrivalsPerSecond"`
	Analytic int     `json:"analytic"` // the formula's answer at PeakRate
	Count    int     `json:"count"`    // after the DES checks and repairs
}

// PlanConstant is a constant value and its cost per day.
type PlanConstant struct {
	Value int        `json:"value"`
	Found bool       `json:"found"`
	Days  *DayShare  `json:"days,omitempty"`
	Cost  SizingCost `json:"cost"`
}
