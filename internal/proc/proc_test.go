package proc

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestAliveTellsReusedPIDs(t *testing.T) {
	ticks, err := StartTicks(os.Getpid())
	if err != nil || ticks == 0 {
		t.Fatalf("own start time: %d, %v", ticks, err)
	}
	if !Alive(os.Getpid(), ticks) || Alive(os.Getpid(), ticks+1) {
		t.Error("Alive must match only the recorded start time")
	}
	cmd := exec.Command("/bin/sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	st, _ := StartTicks(pid)
	cmd.Process.Kill()
	// Unreaped, the child is a zombie: it must already count as gone.
	if !WaitGone(pid, st, 2*time.Second) {
		t.Error("a killed process still counts as alive")
	}
	if Reaped(pid, st) {
		t.Error("an unreaped zombie counts as reaped")
	}
	cmd.Wait()
	if !Reaped(pid, st) {
		t.Error("a reaped process still counts as present")
	}
}
