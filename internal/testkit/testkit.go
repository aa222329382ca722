// Package testkit holds the waiting helpers fleetbench's tests share. A
// deadline here is a hang guard, not a performance figure: it is long
// against what it waits for, so a loaded machine does not fail a test.
package testkit

import (
	"testing"
	"time"
)

// Poll is how often conditions are checked.
const Poll = 10 * time.Millisecond

// Eventually waits until cond holds, failing the test (naming what it
// waited for) if within passes first.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(Poll) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
	}
}

// Stays checks that cond holds at every poll for the whole of d: a value
// that passes through the right one and goes on (a controller that
// overshoots) fails, where Eventually would pass it.
func Stays(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(Poll) {
		if !cond() {
			t.Fatalf("%s stopped holding", what)
		}
	}
}
