package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fleetbench/fleetbench/internal/proc"
)

// Each running container leaves PODDIR/CONTAINER.pid ("pid startTicks") so
// that `down` can stop processes even when the runner itself has died.

func writePIDFile(path string, pid int) error {
	ticks, err := proc.StartTicks(pid)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(fmt.Sprintf("%d %d\n", pid, ticks)), 0o644)
}

// KillLeftovers SIGKILLs the process group of every pid file under
// podsDir whose process still runs (and is the one recorded).
func KillLeftovers(podsDir string) error {
	files, err := filepath.Glob(filepath.Join(podsDir, "*", "*.pid"))
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		var pid int
		var ticks uint64
		if _, err := fmt.Sscan(string(b), &pid, &ticks); err != nil || pid <= 1 {
			continue
		}
		if proc.Alive(pid, ticks) {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			if !proc.WaitGone(pid, ticks, 2*time.Second) {
				errs = append(errs, fmt.Errorf("pod process %d (%s) survived SIGKILL", pid, f))
				continue
			}
		}
		// Its runner is gone, so init reaps it: wait until it has, so
		// that nothing of the cluster is left in the process table.
		if !proc.WaitReaped(pid, ticks, 30*time.Second) {
			errs = append(errs, fmt.Errorf("pod process %d (%s) exited but was not reaped", pid, f))
		}
	}
	return errors.Join(errs...)
}
