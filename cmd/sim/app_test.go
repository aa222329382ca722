package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/internal/cli"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunWritesModelAndReport(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		if code, _, stderr := runCLI(t, "run", "testdata/small.yaml", "-o", d); code != cli.OK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	ma, _ := os.ReadFile(filepath.Join(a, "model.json"))
	mb, _ := os.ReadFile(filepath.Join(b, "model.json"))
	if len(ma) == 0 || !bytes.Equal(ma, mb) {
		t.Fatal("same seed: model.json differs between runs (or is empty)")
	}
	var doc map[string]any
	if err := json.Unmarshal(ma, &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"meta", "metrics", "counters", "series", "cost", "events", "verdicts"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("model.json lacks %q", key)
		}
	}
	if !strings.Contains(string(ma), `"hdr": "HISTF`) {
		t.Error("model.json metrics carry no encoded HdrHistogram")
	}
	if html, err := os.ReadFile(filepath.Join(a, "report.html")); err != nil || !bytes.Contains(html, []byte("<svg")) {
		t.Errorf("report.html missing or without charts: %v", err)
	}
	c := filepath.Join(dir, "c")
	if code, stdout, _ := runCLI(t, "run", "--seed", "10", "testdata/small.yaml", "-o", c); code != cli.OK || !strings.Contains(stdout, "time_to_room") {
		t.Fatalf("exit %d, summary %q", code, stdout)
	}
	if mc, _ := os.ReadFile(filepath.Join(c, "model.json")); bytes.Equal(ma, mc) {
		t.Error("a different seed gave the same model.json")
	}
}

func TestBadInputExits2WithEveryError(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("bad.csv", "0,1\nnot,a number\n")
	head := "apiVersion: fleetbench/v1alpha1\nkind: Scenario\n"
	all := write("all.yaml", head+`duration: 1h
arrivals:
  segments:
    - {for: 10m, constant: {rate: -3}}
    - {for: 10m, linear: {from: .nan, to: 1}}
    - trace: {file: bad.csv}
players: {perMatch: 0, colour: blue}
fleet:
  update: {rollingUpdate: {maxSurge: 150%}}
timeline:
  - {at: 2h, crash: {rooms: 1}}
`)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"run", filepath.Join(dir, "nope.yaml")}, []string{"no such file"}},
		{"wrong apiVersion", []string{"run", write("v.yaml", "apiVersion: fleetbench/v9\nkind: Scenario\n")}, []string{`apiVersion: is "fleetbench/v9"`}},
		{"unknown field", []string{"run", write("u.yaml", head+"fleet: {polcy: {}}\n")}, []string{"fleet.polcy: unknown field"}},
		{"unknown field is found with the others", []string{"run", all}, []string{"players.colour: unknown field"}},
		{"every value problem at once", []string{"run", write("v2.yaml", strings.Replace(mustRead(t, all), "colour: blue", "matchTimeout: 30s", 1))}, []string{
			"arrivals.segments[0].constant.rate: must be ≥ 0",
			"arrivals.segments[1].linear.from: must be a finite number",
			"players.perMatch: must be ≥ 1",
			"fleet.update.rollingUpdate.maxSurge: must be at most 100%",
			"timeline[0].at: is after the scenario's duration",
		}},
		{"unreadable trace", []string{"run", write("t.yaml", head+"arrivals: {segments: [{trace: {file: bad.csv}}]}\n")}, []string{"arrivals.segments[0].trace.file: trace line 2"}},
		{"check on bad input", []string{"check", all}, []string{"players.colour: unknown field"}},
		{"sweep with a bad axis", []string{"sweep", "testdata/small.yaml", "--set", "fleet.policy.buffer.size=5:1:1", "-o", filepath.Join(dir, "sw")}, []string{"TO must be ≥ FROM"}},
		{"unknown flag", []string{"run", "testdata/small.yaml", "--sed", "3"}, []string{"flag provided but not defined: -sed"}},
		{"bad seed", []string{"run", "testdata/small.yaml", "--seed", "-1"}, []string{"--seed"}},
		{"no command", nil, []string{"usage"}},
		{"unknown command", []string{"simulate"}, []string{`unknown command "simulate"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			args := tc.args
			if len(args) > 0 && args[0] == "run" {
				args = append(args, "-o", out)
			}
			code, _, stderr := runCLI(t, args...)
			if code != cli.Usage {
				t.Errorf("exit %d, want %d", code, cli.Usage)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("bad input left output in %s", out)
			}
		})
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCheckExitStatus(t *testing.T) {
	code, stdout, stderr := runCLI(t, "check", "testdata/small.yaml", "--set", "fleet.policy.buffer.size=9")
	if code != cli.OK || !strings.Contains(stdout, "verdict: PASS") {
		t.Fatalf("roomy buffer: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"(a) node-size rule: n/a", "(b) analytic minimum", "(c) DES-verified minimum", "days met", "95% interval", "days simulated:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
	dir := t.TempDir()
	code, stdout, _ = runCLI(t, "check", "testdata/small.yaml", "--set", "fleet.policy.buffer.size=0", "--json", "-o", dir)
	if code != cli.Fail {
		t.Fatalf("empty buffer: exit %d, want %d\n%s", code, cli.Fail, stdout)
	}
	var rep struct {
		Pass           bool
		ConfiguredDays struct{ Decision string }
		Verified       struct {
			Found bool
			Min   int
			Days  struct{ Met, Days int }
			Below struct{ Decision string }
		}
		RunSeconds float64
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Pass || rep.ConfiguredDays.Decision != "misses" || !rep.Verified.Found || rep.Verified.Min < 1 {
		t.Errorf("check report %+v: want a failing configuration and a verified minimum ≥ 1", rep)
	}
	if rep.Verified.Days.Met != rep.Verified.Days.Days || rep.Verified.Below.Decision == "meets" || rep.RunSeconds <= 0 {
		t.Errorf("check report %+v: want the answer met on every day, the value below not shown to meet, a run time", rep)
	}
	if written, _ := os.ReadFile(filepath.Join(dir, "check.json")); !bytes.Equal(written, []byte(stdout)) {
		t.Error("check.json differs from the --json output")
	}
	if html, _ := os.ReadFile(filepath.Join(dir, "report.html")); !bytes.Contains(html, []byte("Share of days meeting every SLO")) {
		t.Error("report.html lacks the sizing section's chart")
	}
}

func TestCheckRefusesTargetsAndBudgetsItCannotDecide(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--target", "1.2"}, "--target 1.2: must be a share strictly between 0 and 1"},
		{[]string{"--target", "0"}, "--target 0: must be"},
		{[]string{"--max-days", "50"}, "--max-days 94 (with --days 30) would decide it"},
		{[]string{"--days", "0"}, "--days 0"},
	} {
		code, _, stderr := runCLI(t, append([]string{"check", "testdata/small.yaml"}, tc.args...)...)
		if code != cli.Usage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with %q", tc.args, code, stderr, cli.Usage, tc.want)
		}
	}
}

func TestSweepWritesGridAndFrontier(t *testing.T) {
	dir := t.TempDir()
	code, _, _ := runCLI(t, "sweep", "testdata/small.yaml", "--set", "fleet.policy.buffer.size=0:8:4", "--set", "fleet.podStartup.fixed=1s", "--reps", "2", "-o", dir)
	if code != cli.Usage {
		// fixed=1s is not numeric: the axis parser must refuse it.
		t.Fatalf("non-numeric axis: exit %d, want %d", code, cli.Usage)
	}
	code, stdout, stderr := runCLI(t, "sweep", "testdata/small.yaml", "--set", "fleet.policy.buffer.size=0:8:4", "--reps", "2", "-o", dir)
	if code != cli.OK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Points []struct {
			Set    map[string]string
			Pareto bool
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != 3 || res.Points[2].Set["fleet.policy.buffer.size"] != "8" {
		t.Fatalf("points = %+v, want sizes 0, 4, 8", res.Points)
	}
	if !strings.Contains(stdout, "size=4") {
		t.Errorf("sweep table lacks the points:\n%s", stdout)
	}
	if html, _ := os.ReadFile(filepath.Join(dir, "report.html")); !bytes.Contains(html, []byte("Pareto frontier")) {
		t.Error("sweep report lacks the frontier")
	}
}
