package sim

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// Seed axes are whole numbers, exact to 2^64−1: as floats, seeds past
// 2^53 round together and a sweep runs one seed as several points.
func TestSeedAxesAreExactIntegers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		set  string
		want []string
	}{
		{"seed=9007199254740993:9007199254740995:1", []string{"9007199254740993", "9007199254740994", "9007199254740995"}},
		{"seed=18446744073709551613:18446744073709551615:1", []string{"18446744073709551613", "18446744073709551614", "18446744073709551615"}},
		{"seed=18446744073709551600:18446744073709551615:7", []string{"18446744073709551600", "18446744073709551607", "18446744073709551614"}},
		{"seed=0:1e3:500", []string{"0", "500", "1000"}},
		{"seed=5:5:1", []string{"5"}},
	} {
		a, err := ParseAxis(c.set)
		if err != nil {
			t.Errorf("%s: %v", c.set, err)
			continue
		}
		if got := a.Values(); !slices.Equal(got, c.want) || a.Count() != len(c.want) {
			t.Errorf("%s: values %v (count %d), want %v", c.set, got, a.Count(), c.want)
		}
		// Sent to a sweep's worker pods as JSON: exact there too.
		var back Axis
		if data, err := json.Marshal(a); err != nil || json.Unmarshal(data, &back) != nil || back != a {
			t.Errorf("%s: JSON round trip gives %+v", c.set, back)
		}
	}
	for _, c := range []struct{ set, want string }{
		{"seed=0.5:3:1", `"0.5": seed takes whole numbers from 0 to 2^64−1`},
		{"seed=-1:3:1", `"-1": seed takes whole numbers`},
		{"seed=0:18446744073709551616:1", `"18446744073709551616": seed takes whole numbers`},
		{"seed=NaN:10:1", "is not a number"},
		{"seed=x:10:1", `"x" is not a number`},
		{"seed=0:10:0", "STEP must be > 0"},
		{"seed=10:0:1", "TO must be ≥ FROM"},
		{"seed=0:18446744073709551615:1", "more than 10000 values"},
	} {
		if _, err := ParseAxis(c.set); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.set, err, c.want)
		}
	}
	// Other axes keep their form (and sweep.json its fields).
	if a, err := ParseAxis("fleet.policy.buffer.size=2:6:2"); err != nil || a != (Axis{Path: "fleet.policy.buffer.size", From: 2, To: 6, Step: 2}) {
		t.Errorf("%+v, %v", a, err)
	}
	if data, _ := json.Marshal(Axis{Path: "x", From: 1, To: 2, Step: 1}); strings.Contains(string(data), "Seeds") {
		t.Errorf("a float axis writes %s", data)
	}
}

// Two axes on one field would have the later silently override the
// earlier at every point: refused, naming the field.
func TestCheckAxesRefusesOneFieldTwice(t *testing.T) {
	t.Parallel()
	axis := func(s string) Axis {
		a, err := ParseAxis(s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, c := range []struct {
		axes []string
		want string
	}{
		{[]string{"fleet.policy.buffer.size=0:8:2", "fleet.policy.buffer.size=10:12:1"}, "--set fleet.policy.buffer.size is given twice"},
		{[]string{"seed=0:3:1", "players.perMatch=2:4:1", "seed=7:9:1"}, "--set seed is given twice"},
		{[]string{"arrivals.segments[0].constant.rate=1:2:1", "arrivals.segments[00].constant.rate=3:4:1"}, "given twice (as arrivals.segments[0].constant.rate and arrivals.segments[00].constant.rate)"},
		{[]string{"fleet.policy.buffer=1:2:1", "fleet.policy.buffer.size=1:2:1"}, "--set fleet.policy.buffer.size sweeps a field inside --set fleet.policy.buffer"},
		{[]string{"arrivals.segments[1].for=1:2:1", "arrivals.segments=1:2:1"}, "--set arrivals.segments[1].for sweeps a field inside --set arrivals.segments"},
	} {
		var axes []Axis
		for _, s := range c.axes {
			axes = append(axes, axis(s))
		}
		if err := CheckAxes(axes); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.axes, err, c.want)
		}
	}
	ok := []Axis{axis("fleet.policy.buffer.size=0:8:2"), axis("fleet.policy.buffer.max=10:12:1"), axis("seed=1:2:1"), axis("arrivals.segments[1].for=1:2:1"), axis("arrivals.segments[10].for=1:2:1")}
	if err := CheckAxes(ok); err != nil {
		t.Errorf("distinct fields: %v", err)
	}
	if err := CheckAxes([]Axis{{Path: "seed", From: 0, To: 9, Step: 1}}); err == nil || !strings.Contains(err.Error(), "whole-number bounds") {
		t.Errorf("a seed axis of floats: %v", err)
	}
	_, err := NewSweepGrid([]byte("apiVersion: fleetbench/v1alpha1\nkind: Scenario\nname: x\n"), ".", []Axis{axis("seed=1:2:1"), axis("seed=3:4:1")}, 1)
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "--set seed is given twice") {
		t.Errorf("a grid of one field twice: %v", err)
	}
}

// `sim sweep` writes no sweep.json report would refuse.
func TestCheckSweepWritable(t *testing.T) {
	t.Parallel()
	res := &SweepResult{Scenario: "x", Reps: 1, Points: []SweepPoint{{Set: map[string]string{"seed": "1"}}}}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSweepWritable("sweep.json", data); err != nil {
		t.Errorf("a small sweep: %v", err)
	}
	if err := CheckSweepWritable("sweep.json", make([]byte, maxSweepFileSize+1)); err == nil || !strings.Contains(err.Error(), "more than report reads (64 MiB)") {
		t.Errorf("past the size: %v", err)
	}
	res.Points[0].P99 = -1
	data, _ = json.Marshal(res)
	if err := CheckSweepWritable("sweep.json", data); err == nil || !strings.Contains(err.Error(), "sweep.json would not read back: points[0]") {
		t.Errorf("a negative p99: %v", err)
	}
}
