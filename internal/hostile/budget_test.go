package hostile

import (
	"fmt"
	"strings"
	"testing"
)

// aliasedTimeline is small.yaml with a timeline of n entries, each an
// alias of the first, whose version is size bytes: before the bound, n
// 10,000 and size 13,000 (an 84 KB file) wrote a 131 MB model.json
// and a 405 MB report in 1.9 GB of memory.
func aliasedTimeline(t *testing.T, n, size int) string {
	doc := scenario(t) + "timeline:\n  - &e {at: 1m, rollingDeploy: {version: " + strings.Repeat("v", size) + "}}\n"
	return doc + strings.Repeat("  - *e\n", n-1)
}

// listsOfAliases is small.yaml with a timeline of 100 aliases of a list
// of 100 aliases of a list of 100 entries: 10^6 entries from 3 KB.
func listsOfAliases(t *testing.T) string {
	list := func(item string) string { return "[" + strings.TrimSuffix(strings.Repeat(item+", ", 100), ", ") + "]" }
	doc := scenario(t, "name: small", "name: small\nx0: &x0 "+list("{at: 1m, crash: {rooms: 1}}")+"\nx1: &x1 "+list("*x0"))
	return doc + "timeline: " + list("*x1") + "\n"
}

func TestSimRefusesAmplification(t *testing.T) {
	file := func(body string) map[string]string { return map[string]string{"s.yaml": body} }
	run := []string{"run", "$D/s.yaml", "-o", "$D/out"}
	small := func(extra ...string) []string {
		return append([]string{"run", smallScenario, "-o", "$D/out"}, extra...)
	}
	cases := []hostileCase{
		{name: "aliases repeat a long version", cmd: "sim", args: run, files: file(aliasedTimeline(t, 10_000, 13_000)),
			code: 2, says: "timeline: holds more than 4194304 bytes of text once its aliases (*name) are expanded", leaves: noOutput},
		{name: "aliases of aliases of lists", cmd: "sim", args: run, files: file(listsOfAliases(t)),
			code: 2, says: "holds more than 524288 YAML values once its aliases (*name) are expanded", leaves: noOutput},
		{name: "an alias cycle", cmd: "sim", args: run, files: file(scenario(t) + "timeline: &t [*t]\n"),
			code: 2, says: "timeline: the alias *t repeats a value that holds the alias itself", leaves: noOutput},
		{name: "a version longer than a tag", cmd: "sim", args: run, files: file(aliasedTimeline(t, 1, 129)),
			code: 2, says: "timeline[0].rollingDeploy.version: is 129 bytes long, at most 128", leaves: noOutput},
		{name: "a buffer of a million", cmd: "sim", args: run, files: file(scenario(t, "{buffer: {size: 6}}", "{buffer: {size: 1000000}}")),
			code: 2, says: "more than --max-servers 1e+06 (", leaves: noOutput},
		{name: "a buffer past a lowered --max-servers", cmd: "sim", args: append(run, "--max-servers", "1e5"),
			files: file(scenario(t, "{buffer: {size: 6}}", "{buffer: {size: 200000}}")),
			code:  2, says: "lower fleet.policy.buffer.size or raise --max-servers", leaves: noOutput},
		{name: "a fraction of 1 with no max", cmd: "sim", args: run, files: file(scenario(t, "{buffer: {size: 6}}", "{minAvailable: {fraction: 1}}")),
			code: 2, says: "unbounded game servers and nodes at once", leaves: noOutput},
		{name: "a million nodes up front", cmd: "sim", args: run,
			files: file(scenario(t, "podsPerNode: 0", "podsPerNode: 1\n  max: 1000000\n  initial: 1000000\n  provisionDelay: {fixed: 1s}\n  bootTime: {fixed: 1s}")),
			code:  2, says: "lower nodes.initial or nodes.min", leaves: noOutput},
		{name: "--max-events NaN", cmd: "sim", args: small("--max-events", "NaN"), code: 2, says: `invalid value "NaN" for flag -max-events: want a finite number > 0`, leaves: noOutput},
		{name: "--max-events +Inf", cmd: "sim", args: small("--max-events", "+Inf"), code: 2, says: "-max-events: want a finite number > 0", leaves: noOutput},
		{name: "--max-concurrent -1", cmd: "sim", args: small("--max-concurrent", "-1"), code: 2, says: "-max-concurrent: want a number > 0", leaves: noOutput},
		{name: "--max-servers 0", cmd: "sim", args: small("--max-servers", "0"), code: 2, says: "-max-servers: want a number > 0", leaves: noOutput},
		{name: "check --max-servers 1e999", cmd: "sim", args: []string{"check", smallScenario, "--max-servers", "1e999"}, code: 2, says: "-max-servers: want a finite number > 0"},
		{name: "--set an empty value", cmd: "sim", args: small("--set", "fleet.policy.buffer.size="), code: 2, says: "empty value for fleet.policy.buffer.size", leaves: noOutput},
		{name: "check --set an empty value", cmd: "sim", args: []string{"check", smallScenario, "--set", "players.perMatch="}, code: 2, says: "empty value for players.perMatch"},
	}
	runCases(t, cases)
}

func TestSimSweepRefusesAxesItCannotHonour(t *testing.T) {
	sweep := func(sets ...string) []string {
		args := []string{"sweep", smallScenario, "-o", "$D/out"}
		for _, s := range sets {
			args = append(args, "--set", s)
		}
		return args
	}
	noSweep := []string{"$D/out/sweep.json", "$D/out/report.html", "$D/out/.*"}
	cases := []hostileCase{
		{name: "one field twice", cmd: "sim", args: sweep("fleet.policy.buffer.size=0:8:2", "fleet.policy.buffer.size=10:12:2"),
			code: 2, says: "--set fleet.policy.buffer.size is given twice", leaves: noSweep},
		{name: "seed twice", cmd: "sim", args: sweep("seed=1:2:1", "seed=5:6:1"), code: 2, says: "--set seed is given twice", leaves: noSweep},
		{name: "a field inside another axis'", cmd: "sim", args: sweep("fleet.policy.buffer=1:2:1", "fleet.policy.buffer.size=1:2:1"),
			code: 2, says: "sweeps a field inside --set fleet.policy.buffer", leaves: noSweep},
		{name: "a seed of a fraction", cmd: "sim", args: sweep("seed=0.5:2:1"), code: 2, says: `"0.5": seed takes whole numbers from 0 to 2^64−1`, leaves: noSweep},
		{name: "a seed past 2^64", cmd: "sim", args: sweep("seed=0:18446744073709551616:1"), code: 2, says: "seed takes whole numbers", leaves: noSweep},
		{name: "sweep --max-servers NaN", cmd: "sim", args: append(sweep("seed=1:2:1"), "--max-servers", "NaN"), code: 2, says: "-max-servers: want a finite number > 0", leaves: noSweep},
	}
	runCases(t, cases)
}

// Control characters in a name or a key reach the terminal escaped, or
// not at all: the scenario is refused, and the error quotes them.
func TestSimPrintsNoControlCharacters(t *testing.T) {
	run := []string{"run", "$D/s.yaml", "-o", "$D/out"}
	for i, c := range []struct{ edit, says string }{
		{"name: \"small\\e]0;owned\\a\\e[2J\"", "name: holds the control character U+001B at byte 5"},
		{"name: \"small\\nsim: every SLO met\"", "name: holds the control character U+000A at byte 5"},
		{"name: \"small\\u202Eppa\"", "name: holds the control character U+202E"},
		{"name: small\n\"\\e[31mred\": 1", `\x1b[31mred: unknown field`},
	} {
		hc := hostileCase{name: fmt.Sprint(i), cmd: "sim", args: run, files: map[string]string{"s.yaml": scenario(t, "name: small", c.edit)},
			code: 2, says: c.says, leaves: noOutput}
		t.Run(fmt.Sprintf("case %d", i), func(t *testing.T) {
			o := hc.run(t)
			if strings.ContainsAny(o.stderr+o.stdout, "\x1b\a\u202e") {
				t.Errorf("printed a control character: %q", o.stderr)
			}
		})
	}
}
