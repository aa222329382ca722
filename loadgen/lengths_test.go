package loadgen

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// TestAMatchsPlayersShareOneSessionLength: the players of a match get
// the same length, drawn from the session stream in the order matches
// are first seen (as the model draws one per match), and a match's entry
// goes once all its players have had it.
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
	for _, m := range []string{"m1", "m2"} {
		want[m] = half(time.Duration(dist.Sample(rng) * float64(time.Second)))
	}
	for _, m := range []string{"m1", "m2", "m1", "m2", "m2", "m1"} {
		if got := l.of(m); got != want[m] {
			t.Errorf("%s: %v, want %v (the match's one draw, in wall time)", m, got, want[m])
		}
	}
	if want["m1"] == want["m2"] {
		t.Errorf("two matches drew the same length %v", want["m1"])
	}
	if n := len(l.byMatch); n != 0 {
		t.Errorf("%d matches still held after all their players had their length", n)
	}
}
