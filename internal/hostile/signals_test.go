package hostile

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestSignalsStopEveryCommand: Ctrl-C (SIGINT) and SIGTERM stop a long
// model command mid-work with status 130 and leave no output behind (the
// commands render everything before writing anything). The time from the
// signal to the exit is logged: the model looks at its context every
// 4096 events, a few milliseconds.
func TestSignalsStopEveryCommand(t *testing.T) {
	// About 20 million players: tens of seconds of work if not stopped.
	long := scenario(t, "rate: 2", "rate: 2000", "duration: 30m", "duration: 3h")
	files := map[string]string{"s.yaml": long}
	cases := []hostileCase{
		{name: "sim run, Ctrl-C", cmd: "sim", args: []string{"run", "$D/s.yaml", "-o", "$D/out"}, files: files,
			signal: os.Interrupt, after: 500 * time.Millisecond, code: 130, says: "sim: interrupted", leaves: noOutput},
		{name: "sim run, SIGTERM", cmd: "sim", args: []string{"run", "$D/s.yaml", "-o", "$D/out"}, files: files,
			signal: syscall.SIGTERM, after: 500 * time.Millisecond, code: 130, says: "sim: interrupted", leaves: noOutput},
		{name: "sim sweep, Ctrl-C", cmd: "sim", args: []string{"sweep", "$D/s.yaml", "--set", "fleet.policy.buffer.size=0:8:2", "-o", "$D/out"}, files: files,
			signal: os.Interrupt, after: 500 * time.Millisecond, code: 130, says: "sim: interrupted", leaves: []string{"$D/out/sweep.json", "$D/out/report.html"}},
		{name: "sim check, SIGTERM", cmd: "sim", args: []string{"check", "$D/s.yaml", "-o", "$D/out", "--max-events", "1e12"}, files: files,
			signal: syscall.SIGTERM, after: 500 * time.Millisecond, code: 130, says: "sim: interrupted", leaves: []string{"$D/out/check.json", "$D/out/report.html"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.run(t)
			t.Logf("stopped %s after the signal", o.stopped.Round(time.Millisecond))
		})
	}
}
