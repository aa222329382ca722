package hostile

import "testing"

// TestDistributedFlagsAreRefused: the flags of distributed runs and
// sweeps, and the workers' own commands, refuse bad values before any
// cluster is touched.
func TestDistributedFlagsAreRefused(t *testing.T) {
	axis := "fleet.policy.buffer.size=0:8:2"
	sweep := func(extra ...string) []string {
		return append([]string{"sweep", smallScenario, "-o", "$D/out", "--set", axis}, extra...)
	}
	run := func(extra ...string) []string {
		return append([]string{"run", smallScenario, "-o", "$D/out"}, extra...)
	}
	check := func(extra ...string) []string {
		return append([]string{"check", smallScenario, "-o", "$D/out"}, extra...)
	}
	noSweep := []string{"$D/out/sweep.json", "$D/out/.*"}
	noCheck := []string{"$D/out"}
	noRun := []string{"$D/out"}
	cases := []hostileCase{
		{name: "sweep on a missing kubeconfig", cmd: "sim", args: sweep("--cluster", "$D/nowhere"), code: 2, says: "--cluster $D/nowhere", leaves: noSweep},
		{name: "sweep on 0 cluster workers", cmd: "sim", args: sweep("--cluster", "$D/nowhere", "--cluster-workers", "0"), code: 2, says: "--cluster-workers 0", leaves: noSweep},
		{name: "sweep on a million cluster workers", cmd: "sim", args: sweep("--cluster", "$D/nowhere", "--cluster-workers", "1000000"), code: 2, says: "want 1 to 1000", leaves: noSweep},
		{name: "sweep workers of no CPU", cmd: "sim", args: sweep("--cluster", "$D/nowhere", "--worker-cpu", "0"), code: 2, says: "want a positive quantity", leaves: noSweep},
		{name: "sweep workers of nonsense memory", cmd: "sim", args: sweep("--cluster", "$D/nowhere", "--worker-memory", "lots"), code: 2, says: "worker-memory", leaves: noSweep},
		{name: "check on a missing kubeconfig", cmd: "sim", args: check("--cluster", "$D/nowhere"), code: 2, says: "--cluster $D/nowhere", leaves: noCheck},
		{name: "check with local and cluster workers", cmd: "sim", args: check("--cluster", "$D/nowhere", "--workers", "4"), code: 2, says: "--workers 4 with --cluster", leaves: noCheck},
		{name: "plan on 0 cluster workers", cmd: "sim", args: []string{"plan", smallScenario, "--cluster", "$D/nowhere", "--cluster-workers", "0"}, code: 2, says: "--cluster-workers 0"},
		{name: "sim worker without an index", cmd: "sim", args: []string{"worker", "--index", "x"}, code: 2, says: `--index "x"`},
		{name: "run with -1 workers", cmd: "loadgen", args: run("--workers", "-1"), code: 2, says: "--workers -1", leaves: noRun},
		{name: "run with 5000 workers", cmd: "loadgen", args: run("--workers", "5000"), code: 2, says: "want 0 (in process) to 1000", leaves: noRun},
		{name: "run with inputs every 0s", cmd: "loadgen", args: run("--input-every", "0s"), code: 2, says: "--input-every 0s", leaves: noRun},
		{name: "run workers of negative CPU", cmd: "loadgen", args: run("--workers", "2", "--worker-cpu", "-1"), code: 2, says: "want a positive quantity", leaves: noRun},
		{name: "loadgen worker with index -1", cmd: "loadgen", args: []string{"worker", "--index", "-1"}, code: 2, says: `--index "-1"`},
	}
	runCases(t, cases)
}
