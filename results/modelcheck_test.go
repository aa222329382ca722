package results

import (
	"strings"
	"testing"
)

// TestCheckModel: latencies pass within 15% or the wall floor × speedup,
// counters within max(2, 10%); the failures name the value.
func TestCheckModel(t *testing.T) {
	t.Parallel()
	ofRun := &Run{Metrics: map[string]Metric{TimeToRoom: {Count: 10, P50: 10, P90: 20}, AllocWait: {Count: 10, P50: 0, P90: 1}},
		Counters: map[string]int64{Players: 100, Disconnects: 10}}
	measured := &Run{Meta: Meta{Speedup: 20}, // floor 0.05 × 20 = 1 s
		Metrics:  map[string]Metric{TimeToRoom: {Count: 10, P50: 11.4, P90: 23.5}, AllocWait: {Count: 10, P50: 0.9, P90: 2.1}},
		Counters: map[string]int64{Players: 100, Disconnects: 12, Allocations: 3}}
	c := CheckModel(ofRun, measured)
	var failed []string
	for _, d := range c.Failed() {
		failed = append(failed, d.Name)
	}
	// time_to_room p90 is off by 3.5 > 3 (15%); alloc_wait p90 by 1.1 > 1
	// (the floor); allocations by 3 > 2. disconnects by 2 ≤ max(2, 1).
	if got, want := strings.Join(failed, ","), "time_to_room p90,alloc_wait p90,allocations"; got != want {
		t.Errorf("failed %s, want %s", got, want)
	}
	if s := c.Failed()[0].String(); !strings.Contains(s, "time_to_room p90") || !strings.Contains(s, "23.5") {
		t.Errorf("a failure reads %q: it must name the value and both numbers", s)
	}
}

// TestCheckModelRankBand: the p50 of 38 samples of a two-mode
// distribution (half the players wait ~0 s, half ~1 s) can land anywhere
// between the modes by sampling alone: it passes inside the model's band
// for that sample size, and the same value fails with 10,000 samples.
func TestCheckModelRankBand(t *testing.T) {
	t.Parallel()
	h := twoModes()
	ofRun := &Run{Metrics: map[string]Metric{TimeToRoom: h.Metric()}, Histograms: map[string]*Histogram{TimeToRoom: h}}
	for _, c := range []struct {
		n    int64
		pass bool
	}{{38, true}, {10000, false}} {
		measured := &Run{Meta: Meta{Speedup: 1}, Metrics: map[string]Metric{TimeToRoom: {Count: c.n, P50: 0.24, P90: 1}}}
		d := CheckModel(ofRun, measured).Deviations[0]
		if d.Name != "time_to_room p50" || d.Pass != c.pass || len(d.Band) != 2 {
			t.Errorf("n=%d: %+v, want pass=%v with a band", c.n, d, c.pass)
		}
		if !c.pass && !strings.Contains(d.String(), "at this sample size") {
			t.Errorf("a failure reads %q: it must give the band", d.String())
		}
	}
}

// TestCheckModelSaysWhatItJudged: at speedup 60 the wall-clock floor
// (±3 s) is wider than 30% of a 1.4 s alloc_wait, which is then not
// judged; at speedup 1 it is. players are equal by construction; a
// counter of 3 is inside its ±2 floor, and one the model puts at 0 has
// no relative error: none of them is agreement.
func TestCheckModelSaysWhatItJudged(t *testing.T) {
	t.Parallel()
	ofRun := &Run{Metrics: map[string]Metric{AllocWait: {Count: 100, P50: 1.4, P90: 12}},
		Counters: map[string]int64{Players: 500, Matches: 250, Disconnects: 3}}
	measured := func(speedup float64) *Run {
		return &Run{Meta: Meta{Speedup: speedup}, Metrics: map[string]Metric{AllocWait: {Count: 100, P50: 1.5, P90: 12.5}},
			Counters: map[string]int64{Players: 500, Matches: 251, Disconnects: 4}}
	}
	judged := func(c *ModelCheck) map[string]string {
		out := map[string]string{}
		for _, d := range c.Deviations {
			out[d.Name] = "judged"
			if !d.Judged {
				out[d.Name] = d.NotJudged
			}
		}
		return out
	}
	fast := judged(CheckModel(ofRun, measured(60)))
	for name, want := range map[string]string{"alloc_wait p50": "wall-clock floor", "alloc_wait p90": "judged", "players": "by construction",
		"matches": "judged", "disconnects": "counter floor", "allocation_failures": "predicts 0"} {
		if !strings.Contains(fast[name], want) {
			t.Errorf("speedup 60, %s: %q, want %q", name, fast[name], want)
		}
	}
	if got := judged(CheckModel(ofRun, measured(1)))["alloc_wait p50"]; got != "judged" {
		t.Errorf("speedup 1, alloc_wait p50: %q, want judged", got)
	}
	if s := CheckModel(ofRun, measured(60)).Summary(); s != "2 of 2 judged values within tolerance; 10 not judged" {
		t.Errorf("summary %q", s)
	}
}

// TestOlderCheckIsJudgedOnRead: a check written before checks said what
// they judged (no resolution, judged or reason) reads back judged as
// CheckModel judges it now, from its recorded allowance and band.
func TestOlderCheckIsJudgedOnRead(t *testing.T) {
	t.Parallel()
	h := twoModes()
	ofRun := &Run{Metrics: map[string]Metric{TimeToRoom: h.Metric()}, Histograms: map[string]*Histogram{TimeToRoom: h},
		Counters: map[string]int64{Players: 38, Matches: 19}}
	measured := &Run{Meta: Meta{Speedup: 60}, Metrics: map[string]Metric{TimeToRoom: {Count: 38, P50: 0.24, P90: 1}},
		Counters: map[string]int64{Players: 38, Matches: 19}}
	now := CheckModel(ofRun, measured)
	old := &ModelCheck{}
	for _, d := range now.Deviations {
		old.Deviations = append(old.Deviations, Deviation{Name: d.Name, Model: d.Model, Measured: d.Measured, Allowed: d.Allowed, Band: d.Band, Pass: d.Pass})
	}
	old.judgeRecorded()
	for i, d := range old.Deviations {
		if w := now.Deviations[i]; d.Judged != w.Judged || d.Resolution != w.Resolution || (d.NotJudged == "") != (w.NotJudged == "") {
			t.Errorf("%s read back as judged=%v ±%g %q, checked now as judged=%v ±%g %q", d.Name, d.Judged, d.Resolution, d.NotJudged,
				w.Judged, w.Resolution, w.NotJudged)
		}
	}
	if old.Summary() != now.Summary() {
		t.Errorf("read back %q, checked now %q", old.Summary(), now.Summary())
	}
}

// twoModes is 38 samples of a match's first and second players: half wait
// ~0 s, half ~1 s.
func twoModes() *Histogram {
	h := NewHistogram()
	for range 19 {
		h.Record(0.01)
		h.Record(1)
	}
	return h
}
