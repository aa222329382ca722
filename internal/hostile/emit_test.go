package hostile

import (
	"strings"
	"testing"
)

// eveningPeak is the shipped minAvailable scenario OpenKruiseGame's
// manifests implement; planning it takes far longer than a case's 5 s,
// so its cases pass only if the options are refused before planning.
const eveningPeak = "../../scenarios/evening-peak.yaml"

// peak is evening-peak.yaml's document with one line replaced.
func peak(t *testing.T, old, new string) string {
	t.Helper()
	doc := mustRead(t, eveningPeak)
	if !strings.Contains(doc, old) {
		t.Fatalf("evening-peak.yaml lacks %q", old)
	}
	return strings.Replace(doc, old, new, 1)
}

// TestSimPlanRefusesHostileManifestOptions: names and time zones go into
// the manifests `sim plan --emit` writes; one that Kubernetes would
// refuse, or that would change the YAML around it, is refused up front,
// naming the flag, and nothing is written.
func TestSimPlanRefusesHostileManifestOptions(t *testing.T) {
	plan := func(kind string, extra ...string) []string {
		return append([]string{"plan", eveningPeak, "--emit", kind, "-o", "$D/out"}, extra...)
	}
	nothing := []string{"$D/out"}
	cases := []hostileCase{
		{name: "a namespace injecting a ClusterRoleBinding", cmd: "sim", args: plan("okg", "--namespace", "a\nkind: ClusterRoleBinding"),
			code: 2, says: `--namespace "a\nkind: ClusterRoleBinding": must be a DNS-1123 label`, leaves: nothing},
		{name: "a namespace starting a document", cmd: "sim", args: plan("okg", "--namespace", "games\n---\napiVersion: v1"),
			code: 2, says: `--namespace "games\n---\napiVersion: v1"`, leaves: nothing},
		{name: "a fleet name ending its mapping", cmd: "sim", args: plan("okg", "--fleet", "rooms: x"),
			code: 2, says: `--fleet "rooms: x": must be a DNS-1123 label`, leaves: nothing},
		{name: "a fleet name injecting a document", cmd: "sim", args: plan("okg", "--fleet", "rooms\n---\nkind: ClusterRoleBinding"),
			code: 2, says: `--fleet "rooms\n---\nkind: ClusterRoleBinding"`, leaves: nothing},
		{name: "a fleet name too long for its CronJobs", cmd: "sim", args: plan("okg", "--fleet", strings.Repeat("r", 40)),
			code: 2, says: "must be at most 36 characters", leaves: nothing},
		{name: "a time zone on Mars", cmd: "sim", args: plan("okg", "--timezone", "Mars/Olympus"),
			code: 2, says: `--timezone "Mars/Olympus": must name a time zone of the tz database`, leaves: nothing},
		{name: "the local time zone", cmd: "sim", args: plan("okg", "--timezone", "Local"),
			code: 2, says: `--timezone "Local"`, leaves: nothing},
		{name: "a time zone with a newline", cmd: "sim", args: plan("okg", "--timezone", "UTC\ntimeZone: x"),
			code: 2, says: `--timezone "UTC\ntimeZone: x"`, leaves: nothing},
		{name: "a scenario name that is no fleet name", cmd: "sim", args: []string{"plan", "$D/s.yaml", "--emit", "okg", "-o", "$D/out"},
			files: map[string]string{"s.yaml": peak(t, "name: evening-peak", `name: "evening: peak"`)},
			code:  2, says: `name "evening: peak": must be a DNS-1123 label`, leaves: nothing},
		{name: "a scenario name with a newline", cmd: "sim", args: []string{"plan", "$D/s.yaml", "--emit", "okg", "-o", "$D/out"},
			files: map[string]string{"s.yaml": peak(t, "name: evening-peak", `name: "a\nkind: ClusterRoleBinding"`)},
			code:  2, says: "name: holds the control character U+000A", leaves: nothing},
		{name: "okg for a buffer policy", cmd: "sim", args: []string{"plan", smallScenario, "--step", "10m", "--emit", "okg", "-o", "$D/out"},
			code: 2, says: "this scenario's fleet.policy is the Agones buffer", leaves: nothing},
		{name: "agones for a minAvailable policy", cmd: "sim", args: plan("agones"),
			code: 2, says: "this scenario's fleet.policy is OpenKruiseGame's minAvailable", leaves: nothing},
		{name: "a step no cron can start", cmd: "sim", args: plan("okg", "--step", "90s"),
			code: 2, says: "--step 1m30s", leaves: nothing},
	}
	runCases(t, cases)
}
