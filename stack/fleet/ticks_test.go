package fleet

import (
	"testing"
	"time"
)

func TestNextTick(t *testing.T) {
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := 7 * time.Second
	for _, c := range []struct {
		now, want time.Duration // after epoch
	}{
		{-3 * time.Second, 0}, // the epoch itself is a tick (the model's t=0)
		{0, 7 * time.Second},
		{time.Second, 7 * time.Second},
		{7 * time.Second, 14 * time.Second},
		{20 * time.Second, 21 * time.Second},
		{50 * time.Second, 56 * time.Second},
	} {
		if got := nextTick(epoch, p, epoch.Add(c.now)); !got.Equal(epoch.Add(c.want)) {
			t.Errorf("now epoch%+v: next tick epoch%+v, want epoch%+v", c.now, got.Sub(epoch), c.want)
		}
	}
}

func TestTickerAlign(t *testing.T) {
	now := time.Now()
	tk := newTicker(time.Hour, now)
	defer tk.stop()
	if tk.align(now, now) {
		t.Error("the same epoch moved the ticks")
	}
	epoch := now.Add(-90 * time.Minute)
	if !tk.align(epoch, now) {
		t.Fatal("a new epoch did not move the ticks")
	}
	if want := epoch.Add(2 * time.Hour); !tk.at.Equal(want) {
		t.Errorf("next tick at epoch+%v, want epoch+2h", tk.at.Sub(epoch))
	}
}
