package kind

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// The node containers share the host's per-user limit of inotify
// instances (kind's known issue "too many open files"): a kubelet that
// cannot get one exits, restarts and exits again, and its node never
// registers until some other process lets one go. Counted on a 2-core
// Debian 12 host (inotify descriptors per container, the stack
// installed): the control plane 30, a worker 16; at the host's default
// limit of 128, the seventh worker's kubelet failed.
const (
	controlPlaneInotify = 32
	workerInotify       = 20
	// hostInotify is left to the host's own processes.
	hostInotify = 64
	// kindInotifyFloor is what kind's known-issues page suggests.
	kindInotifyFloor = 512
)

const inotifyInstancesPath = "/proc/sys/fs/inotify/max_user_instances"

// inotifyNeed is the instances a pool's node containers take.
func (p pool) inotifyNeed() int {
	return controlPlaneInotify + (p.nodes-1)*workerInotify + hostInotify
}

// ensureInotify makes the host's limit fit the pool: raised, and said
// so, where this process may (root), else refused with the numbers and
// the command that raises it.
func ensureInotify(p pool, progress io.Writer) error {
	return ensureInotifyAt(inotifyInstancesPath, os.Geteuid() == 0, p, progress)
}

func ensureInotifyAt(path string, root bool, p pool, progress io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("kind: this host's inotify limit: %w", err)
	}
	limit, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("kind: this host's inotify limit %q (%s): %w", b, path, err)
	}
	need := p.inotifyNeed()
	if limit >= need {
		return nil
	}
	want := max(need, kindInotifyFloor)
	if !root {
		return fmt.Errorf("kind: the pool's %d node containers need about %d inotify instances and this host allows %d per user (fs.inotify.max_user_instances): a kubelet without one never joins; raise it: sudo sysctl fs.inotify.max_user_instances=%d",
			p.nodes, need, limit, want)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(want)+"\n"), 0o644); err != nil {
		return fmt.Errorf("kind: raising fs.inotify.max_user_instances to %d for %d node containers: %w", want, p.nodes, err)
	}
	fmt.Fprintf(progress, "kind: raised this host's fs.inotify.max_user_instances from %d to %d: the pool's %d node containers need about %d (a kubelet without one never joins)\n",
		limit, want, p.nodes, need)
	return nil
}
