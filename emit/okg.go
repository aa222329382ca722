package emit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// KubectlImage is the image the schedule's CronJobs run kubectl from.
const KubectlImage = "registry.k8s.io/kubectl:v1.34.0"

// gssAPI is OpenKruiseGame's GameServerSet API version.
const gssAPI = "game.kruise.io/v1alpha1"

// okg is what the OpenKruiseGame manifests are made of.
type okg struct {
	p                 *results.Plan
	fleet, ns, tz     string
	plan              string // the name of the schedule's RBAC objects
	ws                []window
	schedule          bool // more than one window: CronJobs change minAvailable
	start, max, sync  int
	minAvailable      string // the trigger's: a count, or a fraction of the pods
	startWhy, maxWhy  string
	syncWhy           string
	deadband, ignored int
	deadbandWhy       string
	heading           []string // what the manifests implement
	unavailable       *yaml.Node
	unavailableWhy    string
}

// OKG writes a GameServerSet and the KEDA ScaledObject whose external
// scaler carries minAvailable, for a plan verified under OpenKruiseGame's
// minAvailable; a schedule adds one CronJob per step that sets it. It
// refuses what Check refuses.
func OKG(p *results.Plan, sc *scenarios.Scenario, o Options) ([]byte, error) {
	if err := Check(KindOKG, sc, o); err != nil {
		return nil, err
	}
	ws, err := windows(p, sc)
	if err != nil {
		return nil, err
	}
	k := newOKG(sc, o, ws)
	k.p, k.heading = p, planLines(p)
	k.start, k.startWhy = ws[0].Count, "the plan's one count"
	if k.schedule = len(ws) > 1; k.schedule {
		for _, w := range ws {
			k.start = max(k.start, w.Count)
		}
		k.startWhy = "the plan's largest count, until the first CronJob sets the step's"
	}
	if d := p.Day; d != nil {
		k.deadband, k.deadbandWhy = peakFleet(d), "the plan's busiest minute"
	}
	k.ignored = k.deadband / 10
	k.minAvailable = strconv.Itoa(k.start)
	docs := []*yaml.Node{k.gameServerSet(), k.scaledObject(sc)}
	if k.schedule {
		docs = append(docs, k.rbac()...)
		for _, w := range ws {
			docs = append(docs, k.cronJob(w))
		}
	}
	return encode(docs...)
}

// OKGFleet writes the GameServerSet and ScaledObject for the scenario's
// own minAvailable count: a real run's fleet under the okg controller
// (the caller gives the GameServerSet its pod template). They are OKG's
// manifests for a plan of that one count.
func OKGFleet(sc *scenarios.Scenario, o Options) ([]byte, error) {
	if err := Check(KindOKG, sc, o); err != nil {
		return nil, err
	}
	if len(sc.Fleet.Policy.Schedule) > 0 {
		return nil, errors.New("fleet.policy.schedule: a real run's ScaledObject carries one minAvailable (sim plan --emit okg writes a schedule's CronJobs)")
	}
	count := *sc.Fleet.Policy.MinAvailable.Count // Check: a count
	k := newOKG(sc, o, []window{{Count: count}})
	k.heading = []string{fmt.Sprintf("scenario %s: fleet.policy.minAvailable.count %d.", sc.Name, count)}
	k.start, k.startWhy = count, "fleet.policy.minAvailable.count"
	k.ignored = k.deadband / 10
	k.minAvailable = strconv.Itoa(count)
	return encode(k.gameServerSet(), k.scaledObject(sc))
}

// newOKG is what OKG and OKGFleet share: the fleet's names, caps, sync
// and update strategy.
func newOKG(sc *scenarios.Scenario, o Options, ws []window) okg {
	k := okg{fleet: fleetName(sc, o), ns: o.Namespace, tz: o.Timezone, ws: ws,
		unavailable: str("25%"), unavailableWhy: "OpenKruiseGame's default"}
	k.plan = k.fleet + "-plan"
	k.max, k.maxWhy = replicaCap(sc, sc.Fleet.Policy.MinAvailable.Max)
	k.sync, k.syncWhy = syncSeconds(sc)
	if r := sc.Fleet.Update.RollingUpdate; r != nil {
		k.unavailable, k.unavailableWhy = str(r.MaxUnavailable.String()), "fleet.update.rollingUpdate.maxUnavailable"
		if !r.MaxUnavailable.Percent {
			k.unavailable = num(int(r.MaxUnavailable.Value))
		}
	}
	// At the fleet's largest (OKG: the plan's day, when simulated), what
	// the HPA's default tolerance hides.
	k.deadband, k.deadbandWhy = k.max, "its cap"
	return k
}

// firstWhy says where the first count came from.
func (k okg) firstWhy() string {
	if k.p == nil {
		return k.startWhy
	}
	return "the plan's first count"
}

func (k okg) gameServerSet() *yaml.Node {
	return lead(obj(
		"apiVersion", gssAPI,
		"kind", "GameServerSet",
		"metadata", meta(k.fleet, k.ns),
		"spec", obj(
			"replicas", note(num(k.ws[0].Count), "%s: idle rooms to start with", k.firstWhy()),
			"updateStrategy", obj("rollingUpdate", obj(
				"podUpdatePolicy", "ReCreate",
				"maxUnavailable", note(k.unavailable, "%s", k.unavailableWhy))),
			"gameServerTemplate", obj("spec", obj("containers", list(obj(
				"name", "game-server",
				"image", note(str("REPLACE-WITH-YOUR-GAME-SERVER-IMAGE"), "fleetbench models the fleet, not your image"))))))),
		append(append([]string{"OpenKruiseGame manifests that implement fleetbench's buffer plan for"}, k.heading...),
			"kruise-game's KEDA external scaler asks for replicas + minAvailable − None",
			"rooms while fewer are None, else for replicas − WaitToBeDeleted; KEDA turns",
			"that into a HorizontalPodAutoscaler.")...)
}

func (k okg) scaledObject(sc *scenarios.Scenario) *yaml.Node {
	spec := obj(
		"scaleTargetRef", obj("apiVersion", gssAPI, "kind", "GameServerSet", "name", k.fleet),
		"pollingInterval", note(num(k.sync), "%s", k.syncWhy),
		"minReplicaCount", 0,
		"maxReplicaCount", note(num(k.max), "%s", k.maxWhy))
	if b := k.behaviour(sc); b != nil {
		spec.Content = append(spec.Content, obj("advanced", obj("horizontalPodAutoscalerConfig", obj("behavior", b))).Content...)
	}
	spec.Content = append(spec.Content, obj(
		"triggers", list(obj(
			"type", "external",
			"metricType", "AverageValue",
			"metadata", obj(
				"scalerAddress", "kruise-game-external-scaler.kruise-game-system:6000",
				"minAvailable", note(quoted(k.minAvailable), "%s", k.startWhy))))).Content...)
	return obj(
		"apiVersion", "keda.sh/v1alpha1",
		"kind", "ScaledObject",
		"metadata", obj("name", note(str(k.fleet), "kruise-game's scaler finds the GameServerSet by this name"), "namespace", k.ns),
		"spec", spec)
}

// rbac lets the schedule's CronJobs patch the ScaledObject, and that only.
func (k okg) rbac() []*yaml.Node {
	sa := lead(obj("apiVersion", "v1", "kind", "ServiceAccount", "metadata", meta(k.plan, k.ns)),
		"KEDA's external scaler carries one minAvailable. The closest KEDA comes",
		"to a schedule is to change it at each step: one CronJob per step patches",
		"the trigger, seconds after the step starts (Job start and KEDA's next",
		fmt.Sprintf("poll) — within the %.0f s each step is sized ahead.", k.p.LeadSeconds))
	role := obj("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "Role", "metadata", meta(k.plan, k.ns),
		"rules", list(obj(
			"apiGroups", flow("keda.sh"),
			"resources", flow("scaledobjects"),
			"resourceNames", flow(k.fleet),
			"verbs", flow("get", "patch"))))
	binding := obj("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "RoleBinding", "metadata", meta(k.plan, k.ns),
		"subjects", list(obj("kind", "ServiceAccount", "name", k.plan, "namespace", k.ns)),
		"roleRef", obj("apiGroup", "rbac.authorization.k8s.io", "kind", "Role", "name", k.plan))
	return []*yaml.Node{sa, role, binding}
}

// minAvailablePatch is the JSON patch that sets the trigger's minAvailable.
func minAvailablePatch(count int) string {
	type op struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value string `json:"value"`
	}
	b, err := json.Marshal([]op{{"replace", "/spec/triggers/0/metadata/minAvailable", strconv.Itoa(count)}})
	if err != nil {
		panic(err) // three strings always encode
	}
	return string(b)
}

func (k okg) cronJob(w window) *yaml.Node {
	count := strconv.Itoa(w.Count)
	return obj(
		"apiVersion", "batch/v1",
		"kind", "CronJob",
		"metadata", obj("name", k.plan+"-"+w.CronID, "namespace", k.ns,
			"annotations", obj("fleetbench.dev/min-available", quoted(count))),
		"spec", obj(
			"schedule", note(quoted(w.cron()), "the plan's step at %s, until %s", w.From, w.To),
			"timeZone", note(str(k.tz), "the scenario's 0h is midnight here"),
			"concurrencyPolicy", "Replace",
			"jobTemplate", obj("spec", obj(
				"backoffLimit", 3,
				"template", obj("spec", obj(
					"serviceAccountName", k.plan,
					"restartPolicy", "OnFailure",
					"containers", list(obj(
						"name", "set-min-available",
						"image", note(str(KubectlImage), "any image with kubectl"),
						head("args", fmt.Sprintf("minAvailable %d: %s", w.Count, w.origin())),
						flow("patch", "scaledobject", k.fleet, "--namespace", k.ns, "--type", "json", "--patch", minAvailablePatch(w.Count))))))))))
}

// peakFleet is the most rooms (in play, idle or starting) on the day.
func peakFleet(r *results.Run) int {
	v := r.Series.Values
	peak := 0.0
	for i := range v[results.SeriesAllocated] {
		n := v[results.SeriesAllocated][i]
		if i < len(v[results.SeriesReadyBuffer]) {
			n += v[results.SeriesReadyBuffer][i]
		}
		if i < len(v[results.SeriesStarting]) {
			n += v[results.SeriesStarting][i]
		}
		peak = max(peak, n)
	}
	return int(peak)
}
