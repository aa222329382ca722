// Package proc identifies Linux processes across invocations: a PID plus
// its start time names one process, even after the PID is reused.
package proc

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// stat reads a process's state letter and start time, zombies included.
func stat(pid int) (state string, ticks uint64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, err
	}
	// The command name (field 2) may hold spaces; fields restart after ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", 0, fmt.Errorf("pid %d: malformed stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return "", 0, fmt.Errorf("pid %d: malformed stat", pid)
	}
	ticks, err = strconv.ParseUint(f[19], 10, 64)
	return f[0], ticks, err
}

// StartTicks reads the start time (field 22 of /proc/PID/stat). A zombie
// counts as gone: it has exited and only waits to be reaped.
func StartTicks(pid int) (uint64, error) {
	state, ticks, err := stat(pid)
	if err != nil {
		return 0, err
	}
	if state == "Z" || state == "X" {
		return 0, fmt.Errorf("pid %d: not running", pid)
	}
	return ticks, nil
}

// Reaped reports whether the process started at ticks has left the
// process table: exited and collected by its parent. A zombie has exited
// (its ports and memory are free) but still answers kill(pid, 0).
func Reaped(pid int, ticks uint64) bool {
	_, t, err := stat(pid)
	return err != nil || (ticks != 0 && t != ticks)
}

// WaitReaped polls until Reaped or within passes.
func WaitReaped(pid int, ticks uint64, within time.Duration) bool {
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		if Reaped(pid, ticks) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// Alive reports whether the process started at ticks still runs; ticks 0
// matches any process with that PID.
func Alive(pid int, ticks uint64) bool {
	t, err := StartTicks(pid)
	return err == nil && (ticks == 0 || t == ticks)
}

// WaitGone polls until the process is gone or within passes.
func WaitGone(pid int, ticks uint64, within time.Duration) bool {
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		if !Alive(pid, ticks) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
