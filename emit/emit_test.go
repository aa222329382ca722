package emit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
)

// hourly is a plan with these counts, one per hour from 0h.
func hourly(counts ...int) *results.Plan {
	p := &results.Plan{Scenario: "t", Knob: "k", Step: "1h0m0s", LeadSeconds: 95, Found: true,
		Days: &results.DayShare{Met: 100, Days: 100, Decision: results.Meets}}
	for i, c := range counts {
		p.Steps = append(p.Steps, results.PlanStep{AtSeconds: float64(i) * 3600, At: fmt.Sprintf("%dh0m0s", i), Count: c, Analytic: c, PeakRate: 1})
	}
	return p
}

// docs parses every YAML document of the manifests.
func docs(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("manifests do not parse: %v\n%s", err, b)
		}
		out = append(out, m)
	}
}

func get(m any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m = m.(map[string]any)[k]
		case int:
			m = m.([]any)[k]
		}
	}
	return m
}

func load(t *testing.T, name string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestAgonesChainCarriesEveryStep(t *testing.T) {
	t.Parallel()
	sc := load(t, "testdata/agones-day.yaml")
	counts := make([]int, 24)
	for h := range counts {
		counts[h] = 10
	}
	counts[17], counts[18], counts[19], counts[3] = 40, 60, 60, 0
	out, err := Agones(hourly(counts...), sc, Options{Fleet: "f", Namespace: "games", Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	ds := docs(t, out)
	if len(ds) != 1 || ds[0]["kind"] != "FleetAutoscaler" {
		t.Fatalf("want one FleetAutoscaler, got %v", ds)
	}
	spec := ds[0]["spec"]
	if get(spec, "fleetName") != "f" || get(spec, "policy", "type") != "Chain" || get(spec, "sync", "fixedInterval", "seconds") != 30 {
		t.Fatalf("spec %v", spec)
	}
	chain := get(spec, "policy", "chain").([]any)
	want := []struct {
		cron, dur string
		size      int
	}{{"0 3 * * *", "1h0m0s", 1}, {"0 17 * * *", "1h0m0s", 40}, {"0 18 * * *", "2h0m0s", 60}}
	if len(chain) != len(want)+1 {
		t.Fatalf("%d chain entries, want %d scheduled and a default:\n%s", len(chain), len(want), out)
	}
	for i, w := range want {
		s := get(chain[i], "schedule")
		if get(s, "activePeriod", "startCron") != w.cron || get(s, "activePeriod", "duration") != w.dur || get(s, "activePeriod", "timezone") != "Europe/Paris" ||
			get(s, "policy", "buffer", "bufferSize") != w.size || get(s, "policy", "buffer", "maxReplicas") != 400 {
			t.Errorf("entry %d: %v, want %+v", i, s, w)
		}
	}
	def := chain[len(chain)-1]
	// buffer.min 2 is below the bufferSizes, which Agones refuses: no floor.
	if get(def, "id") != "default" || get(def, "buffer", "bufferSize") != 10 || get(def, "buffer", "minReplicas") != 0 ||
		!strings.Contains(string(out), "fleet.policy.buffer.min 2 is below a bufferSize") {
		t.Errorf("default entry %v", def)
	}
	if !strings.Contains(string(out), "raised to 1, Agones' least bufferSize") {
		t.Error("the 0 raised to 1 is not explained")
	}
	// A constant plan is one Buffer policy.
	flat, err := Agones(hourly(12, 12, 12), sc, Options{Fleet: "f", Namespace: "games", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if p := docs(t, flat)[0]["spec"]; get(p, "policy", "type") != "Buffer" || get(p, "policy", "buffer", "bufferSize") != 12 {
		t.Errorf("constant plan: %v", p)
	}
}

func TestOKGCarriesMinAvailableAndItsSchedule(t *testing.T) {
	t.Parallel()
	sc := load(t, "../scenarios/evening-peak.yaml")
	counts := []int{20, 20, 20, 35, 50, 50, 20}
	out, err := OKG(hourly(counts...), sc, Options{Fleet: "rooms", Namespace: "games", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	ds := docs(t, out)
	kinds := map[string]int{}
	for _, d := range ds {
		kinds[d["kind"].(string)]++
	}
	if kinds["GameServerSet"] != 1 || kinds["ScaledObject"] != 1 || kinds["CronJob"] != 4 || kinds["Role"] != 1 {
		t.Fatalf("kinds %v, want a GameServerSet, a ScaledObject and a CronJob per window (4)", kinds)
	}
	so := ds[1]
	trig := get(so, "spec", "triggers", 0)
	if get(trig, "type") != "external" || get(trig, "metadata", "minAvailable") != "50" {
		t.Errorf("trigger %v: want minAvailable the plan's largest, 50", trig)
	}
	b := get(so, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior")
	if get(b, "scaleUp", "tolerance") != 0 || get(b, "scaleDown", "tolerance") != 0 {
		t.Errorf("behavior %v: the deadband is not switched off", b)
	}
	if get(so, "spec", "pollingInterval") != int(sc.Fleet.SyncInterval.Seconds()) {
		t.Errorf("pollingInterval %v", get(so, "spec", "pollingInterval"))
	}
	var crons []string
	for _, d := range ds {
		if d["kind"] == "CronJob" {
			args := get(d, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "args").([]any)
			crons = append(crons, fmt.Sprintf("%v=%v", get(d, "spec", "schedule"), args[len(args)-1]))
		}
	}
	want := []string{
		`0 0 * * *=[{"op":"replace","path":"/spec/triggers/0/metadata/minAvailable","value":"20"}]`,
		`0 3 * * *=[{"op":"replace","path":"/spec/triggers/0/metadata/minAvailable","value":"35"}]`,
		`0 4 * * *=[{"op":"replace","path":"/spec/triggers/0/metadata/minAvailable","value":"50"}]`,
		`0 6 * * *=[{"op":"replace","path":"/spec/triggers/0/metadata/minAvailable","value":"20"}]`,
	}
	if fmt.Sprint(crons) != fmt.Sprint(want) {
		t.Errorf("CronJobs\n%v\nwant\n%v", crons, want)
	}
}

func TestEmitRefusesTheOtherPolicy(t *testing.T) {
	t.Parallel()
	if _, err := Agones(hourly(5), load(t, "../scenarios/evening-peak.yaml"), Options{}); !errors.Is(err, ErrPolicy) {
		t.Errorf("agones for a minAvailable plan: %v", err)
	}
	if _, err := OKG(hourly(5), load(t, "testdata/agones-day.yaml"), Options{}); !errors.Is(err, ErrPolicy) {
		t.Errorf("okg for a buffer plan: %v", err)
	}
}
