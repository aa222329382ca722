package loadgen

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// TestAMatchsPlayersShareOneSessionLength: the players of a match get
// the same length, the k-th draw of the session stream for the
// matchmaker's k-th match, in whatever order its players ask (so every
// worker of a distributed run agrees).
func TestAMatchsPlayersShareOneSessionLength(t *testing.T) {
	sc, err := scenarios.Parse([]byte(`apiVersion: fleetbench/v1alpha1
kind: Scenario
name: lengths
seed: 9
duration: 1m
arrivals: {process: uniform, segments: [{constant: {rate: 1}}]}
players: {perMatch: 3, sessionLength: {lognormal: {median: 10s, sigma: 0.5}}}
fleet: {policy: {buffer: {size: 1}}}
`), ".")
	if err != nil {
		t.Fatal(err)
	}
	half := func(d time.Duration) time.Duration { return d / 2 }
	l := newSessionLengths(sc, half)
	rng := rand.New(rand.NewPCG(sc.Seed, scenarios.SessionStream))
	dist := sc.Players.SessionLength.Sampler()
	want := map[string]time.Duration{}
	for _, m := range []string{"m1-x", "m2-y", "m3-z"} {
		want[m] = half(time.Duration(dist.Sample(rng) * float64(time.Second)))
	}
	for _, m := range []string{"m3-z", "m2-y", "m1-x", "m2-y", "m3-z", "m1-x"} {
		if got := l.of(m); got != want[m] {
			t.Errorf("%s: %v, want %v (the match's one draw, in wall time)", m, got, want[m])
		}
	}
	if want["m1-x"] == want["m2-y"] {
		t.Errorf("two matches drew the same length %v", want["m1-x"])
	}
	other := newSessionLengths(sc, half)
	if got := other.of("m2-y"); got != want["m2-y"] {
		t.Errorf("a second worker seeing only m2: %v, want %v", got, want["m2-y"])
	}
	// An ID without a sequence number takes the next draw, once.
	if a, b := other.of("room-match"), other.of("room-match"); a != b {
		t.Errorf("unnumbered match drew twice: %v, %v", a, b)
	}
}
