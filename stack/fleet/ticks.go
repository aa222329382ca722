package fleet

import "time"

// ticker fires at epoch + k·period. A run moves the epoch to its clock's
// start, so the autoscaler's ticks fall where the model's do (k·syncInterval
// of scenario time) rather than wherever fleetd happened to start.
type ticker struct {
	period time.Duration
	epoch  time.Time
	at     time.Time // the next tick
	timer  *time.Timer
}

func newTicker(period time.Duration, epoch time.Time) *ticker {
	t := &ticker{period: period, epoch: epoch, at: epoch.Add(period)}
	t.timer = time.NewTimer(time.Until(t.at))
	return t
}

// C fires at the next tick; call next after receiving.
func (t *ticker) C() <-chan time.Time { return t.timer.C }

// next schedules the tick after the one that fired (skipping any missed).
func (t *ticker) next() { t.reset(nextTick(t.epoch, t.period, time.Now())) }

// align moves the epoch; it reports whether the ticks moved.
func (t *ticker) align(epoch, now time.Time) bool {
	if epoch.Equal(t.epoch) {
		return false
	}
	t.epoch = epoch
	t.reset(nextTick(epoch, t.period, now))
	return true
}

func (t *ticker) reset(at time.Time) {
	t.at = at
	t.timer.Reset(time.Until(at))
}

func (t *ticker) stop() { t.timer.Stop() }

// nextTick is the first epoch + k·period strictly after now (k may be 0
// when the epoch is still ahead).
func nextTick(epoch time.Time, period time.Duration, now time.Time) time.Time {
	if now.Before(epoch) {
		return epoch
	}
	k := now.Sub(epoch)/period + 1
	return epoch.Add(k * period)
}
