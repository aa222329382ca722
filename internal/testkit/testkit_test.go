package testkit

import (
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a testing.TB that records a failure instead of stopping.
type recorder struct {
	testing.TB
	failed atomic.Bool
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(string, ...any) {
	r.failed.Store(true)
	panic(r) // Fatalf must not return
}

func fails(f func(t testing.TB)) (failed bool) {
	r := &recorder{}
	defer func() {
		if v := recover(); v != nil && v != r {
			panic(v)
		}
		failed = r.failed.Load()
	}()
	f(r)
	return false
}

func TestEventuallyAndStays(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	go func() {
		for range 5 {
			time.Sleep(Poll)
			n.Add(1)
		}
	}()
	if fails(func(t testing.TB) { Eventually(t, 5*time.Second, "n to reach 5", func() bool { return n.Load() == 5 }) }) {
		t.Error("Eventually failed a condition that came true")
	}
	if !fails(func(t testing.TB) { Eventually(t, 50*time.Millisecond, "never", func() bool { return false }) }) {
		t.Error("Eventually passed a condition that never held")
	}
	// An overshoot: the value passes 5 and goes on to 6.
	var v atomic.Int32
	v.Store(5)
	go func() { time.Sleep(3 * Poll); v.Store(6) }()
	if !fails(func(t testing.TB) { Stays(t, 20*Poll, "v at 5", func() bool { return v.Load() == 5 }) }) {
		t.Error("Stays passed a value that moved on")
	}
	if fails(func(t testing.TB) { Stays(t, 5*Poll, "v at 6", func() bool { return v.Load() == 6 }) }) {
		t.Error("Stays failed a value that held")
	}
}
