package manifests

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/emit"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// Fleet is the name of the rooms' GameServerSet (and its ScaledObject)
// under the okg controller.
const Fleet = "rooms"

// okgFleet is the GameServerSet and ScaledObject `sim plan --emit okg`
// writes for the scenario's minAvailable count.
func okgFleet(sc *scenarios.Scenario) ([]byte, error) {
	return emit.OKGFleet(sc, emit.Options{Fleet: Fleet, Namespace: Namespace, Timezone: "UTC"})
}

// gameServerRules let the room server publish opsState on its GameServer
// and the matchmaker claim one (their Roles gain them under okg only).
var gameServerRules = map[string]map[string]any{
	"roomserver": {"apiGroups": []any{wire.GameServers.Group}, "resources": []any{wire.GameServers.Resource}, "verbs": []any{"get", "patch"}},
	"matchmaker": {"apiGroups": []any{wire.GameServers.Group}, "resources": []any{wire.GameServers.Resource}, "verbs": []any{"patch"}},
}

// underOKG turns the rendered stack into the okg controller's: fleetd
// and its identity go, the room template becomes the GameServerSet's
// gameServerTemplate, and the room server and matchmaker may write
// GameServers.
func underOKG(rendered, fleet []byte) ([]byte, error) {
	objs, err := clusters.DecodeObjects(rendered)
	if err != nil {
		return nil, err
	}
	var template map[string]any
	var kept []*unstructured.Unstructured
	for _, o := range objs {
		kind, name := o.GetKind(), o.GetName()
		switch {
		case kind == "PodTemplate" && name == "roomserver":
			template, _, _ = unstructured.NestedMap(o.Object, "template")
			continue
		case name == "fleetd":
			continue
		case kind == "Role" && gameServerRules[name] != nil:
			rules, _, _ := unstructured.NestedSlice(o.Object, "rules")
			if err := unstructured.SetNestedSlice(o.Object, append(rules, gameServerRules[name]), "rules"); err != nil {
				return nil, err
			}
		}
		kept = append(kept, o)
	}
	if template == nil {
		return nil, fmt.Errorf("manifests: no roomserver PodTemplate to make the GameServerSet's template of")
	}
	docs, err := clusters.DecodeObjects(fleet)
	if err != nil {
		return nil, fmt.Errorf("manifests: the OpenKruiseGame fleet: %w", err)
	}
	for _, d := range docs {
		if d.GetKind() == "GameServerSet" {
			if err := unstructured.SetNestedMap(d.Object, template, "spec", "gameServerTemplate"); err != nil {
				return nil, err
			}
		}
	}
	var out []byte
	for _, o := range append(kept, docs...) {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		out = append(append(out, "---\n"...), b...)
	}
	return out, nil
}
