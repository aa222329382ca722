package emit

import (
	"encoding/json"
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
	startWhy, maxWhy  string
	syncWhy           string
	deadband, ignored int
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
	m := sc.Fleet.Policy.MinAvailable
	k := okg{p: p, fleet: fleetName(sc, o), ns: o.Namespace, tz: o.Timezone, ws: ws,
		unavailable: str("25%"), unavailableWhy: "OpenKruiseGame's default"}
	k.plan = k.fleet + "-plan"
	k.max, k.maxWhy = replicaCap(sc, m.Max)
	k.sync, k.syncWhy = syncSeconds(sc)
	if r := sc.Fleet.Update.RollingUpdate; r != nil {
		k.unavailable, k.unavailableWhy = str(r.MaxUnavailable.String()), "fleet.update.rollingUpdate.maxUnavailable"
		if !r.MaxUnavailable.Percent {
			k.unavailable = num(int(r.MaxUnavailable.Value))
		}
	}
	k.start, k.startWhy = ws[0].Count, "the plan's one count"
	if k.schedule = len(ws) > 1; k.schedule {
		for _, w := range ws {
			k.start = max(k.start, w.Count)
		}
		k.startWhy = "the plan's largest count, until the first CronJob sets the step's"
	}
	// At the plan's largest fleet (the day simulated, else the cap), what
	// the HPA's default tolerance hides.
	k.deadband = k.max
	if d := p.Day; d != nil {
		k.deadband = peakFleet(d)
	}
	k.ignored = k.deadband / 10
	docs := []*yaml.Node{k.gameServerSet(), k.scaledObject()}
	if k.schedule {
		docs = append(docs, k.rbac()...)
		for _, w := range ws {
			docs = append(docs, k.cronJob(w))
		}
	}
	return encode(docs...)
}

func (k okg) gameServerSet() *yaml.Node {
	return lead(obj(
		"apiVersion", gssAPI,
		"kind", "GameServerSet",
		"metadata", meta(k.fleet, k.ns),
		"spec", obj(
			"replicas", note(num(k.ws[0].Count), "the plan's first count: idle rooms to start with"),
			"updateStrategy", obj("rollingUpdate", obj(
				"podUpdatePolicy", "ReCreate",
				"maxUnavailable", note(k.unavailable, "%s", k.unavailableWhy))),
			"gameServerTemplate", obj("spec", obj("containers", list(obj(
				"name", "game-server",
				"image", note(str("REPLACE-WITH-YOUR-GAME-SERVER-IMAGE"), "fleetbench models the fleet, not your image"))))))),
		append(append([]string{"OpenKruiseGame manifests that implement fleetbench's buffer plan for"}, planLines(k.p)...),
			"kruise-game's KEDA external scaler asks for replicas + minAvailable − None",
			"rooms while fewer are None, else for replicas − WaitToBeDeleted; KEDA turns",
			"that into a HorizontalPodAutoscaler.")...)
}

func (k okg) scaledObject() *yaml.Node {
	behavior := obj(
		head("scaleUp",
			"tolerance 0 (honoured from Kubernetes 1.35, HPAConfigurableTolerance; ignored before):",
			fmt.Sprintf("the HPA's default 10%% deadband would leave a fleet of %d rooms (the", k.deadband),
			fmt.Sprintf("plan's busiest minute) short of up to %d rooms the scaler asks for.", k.ignored)),
		obj(
			"stabilizationWindowSeconds", note(num(0), "scale up on the first poll that asks"),
			"tolerance", 0,
			"selectPolicy", "Max",
			"policies", list(obj(
				"type", "Pods",
				"value", note(num(k.max), "as many as asked in one period: the scaler asks only for what is missing"),
				"periodSeconds", 15))),
		"scaleDown", obj(
			"stabilizationWindowSeconds", note(num(0), "recycled rooms go only at a sync that asks for less; a window would hold them"),
			"tolerance", 0,
			"policies", list(obj("type", "Percent", "value", 100, "periodSeconds", 15))))
	return obj(
		"apiVersion", "keda.sh/v1alpha1",
		"kind", "ScaledObject",
		"metadata", obj("name", note(str(k.fleet), "kruise-game's scaler finds the GameServerSet by this name"), "namespace", k.ns),
		"spec", obj(
			"scaleTargetRef", obj("apiVersion", gssAPI, "kind", "GameServerSet", "name", k.fleet),
			"pollingInterval", note(num(k.sync), "%s", k.syncWhy),
			"minReplicaCount", 0,
			"maxReplicaCount", note(num(k.max), "%s", k.maxWhy),
			"advanced", obj("horizontalPodAutoscalerConfig", obj("behavior", behavior)),
			"triggers", list(obj(
				"type", "external",
				"metricType", "AverageValue",
				"metadata", obj(
					"scalerAddress", "kruise-game-external-scaler.kruise-game-system:6000",
					"minAvailable", note(quoted(strconv.Itoa(k.start)), "%s", k.startWhy))))))
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
