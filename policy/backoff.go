package policy

import "math"

// Backoff is a client's delay before reconnect attempt n (0-based), the
// model's and the players' alike: min(max, base·2ⁿ), with a jitter
// fraction of it taken off at random (u uniform in [0, 1)), so that a
// room's players do not all come back in the same instant.
func Backoff(base, max float64, n int, jitter, u float64) float64 {
	return math.Min(max, math.Ldexp(base, n)) * (1 - jitter*u)
}
