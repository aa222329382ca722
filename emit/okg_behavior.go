package emit

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/fleetbench/fleetbench/scenarios"
)

// behaviour is the HPA behaviour the ScaledObject gives KEDA's HPA: the
// scenario's fleet.hpa where it names one (the plan was verified under
// it), else the behaviour the model gives the okg controller
// (scenarios.EmittedHPA), with the reasons for its numbers.
func (k okg) behaviour(sc *scenarios.Scenario) *yaml.Node {
	if h := sc.Fleet.HPA; h != nil {
		var kv []any
		for _, d := range []struct {
			name  string
			rules *scenarios.HPARules
		}{{"scaleUp", h.ScaleUp}, {"scaleDown", h.ScaleDown}} {
			if d.rules == nil {
				continue // Kubernetes' default for the direction
			}
			kv = append(kv, d.name, hpaRules(*d.rules, h.Tolerance, nil))
		}
		if h.SyncPeriod.Duration > 0 && h.SyncPeriod.Duration != scenarios.DefaultHPASync {
			kv[0] = head(kv[0].(string), fmt.Sprintf("fleet.hpa.syncPeriod %s is kube-controller-manager's --horizontal-pod-autoscaler-sync-period: set it there", h.SyncPeriod))
		}
		if len(kv) == 0 {
			return nil
		}
		return obj(kv...)
	}
	h := sc.EmittedHPA()
	return obj(
		head("scaleUp",
			"tolerance 0 (honoured from Kubernetes 1.35, HPAConfigurableTolerance; ignored before):",
			fmt.Sprintf("the HPA's default 10%% deadband would leave a fleet of %d rooms (%s)", k.deadband, k.deadbandWhy),
			fmt.Sprintf("short of up to %d rooms the scaler asks for.", k.ignored)),
		hpaRules(*h.ScaleUp, nil, []string{"scale up on the first poll that asks", "as many as asked in one period: the scaler asks only for what is missing"}),
		"scaleDown", hpaRules(*h.ScaleDown, nil, []string{"recycled rooms go only at a sync that asks for less; a window would hold them"}))
}

// hpaRules is one direction's rules; the controller-wide tolerance is
// written per direction (a ScaledObject cannot set the flag); notes[0]
// explains the window, notes[1] the first policy's value.
func hpaRules(r scenarios.HPARules, tolerance *float64, notes []string) *yaml.Node {
	window := num(int(r.StabilizationWindow.Seconds()))
	if len(notes) > 0 {
		note(window, "%s", notes[0])
	}
	kv := []any{"stabilizationWindowSeconds", window}
	if t := r.Tolerance; t != nil {
		tolerance = t
	}
	if tolerance != nil {
		kv = append(kv, "tolerance", decimal(*tolerance))
	}
	if r.SelectPolicy != "" {
		kv = append(kv, "selectPolicy", r.SelectPolicy)
	}
	policies := make([]*yaml.Node, len(r.Policies))
	for i, p := range r.Policies {
		v := num(p.Value)
		if i == 0 && len(notes) > 1 {
			note(v, "%s", notes[1])
		}
		policies[i] = obj("type", p.Type, "value", v, "periodSeconds", int(p.Period.Seconds()))
	}
	return obj(append(kv, "policies", list(policies...))...)
}

// decimal is a number written as Kubernetes' quantities read it.
func decimal(v float64) *yaml.Node {
	if v == float64(int(v)) {
		return num(int(v))
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(v, 'f', -1, 64)}
}
