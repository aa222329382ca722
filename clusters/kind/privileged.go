package kind

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Mode is how kind's node containers are started.
type Mode struct {
	// Unprivileged: the daemon refuses --privileged, so the docker kind
	// runs rewrites it into every capability but CAP_SYS_RESOURCE.
	Unprivileged bool
	// Reason says why, for `cluster up`'s output.
	Reason string
}

func (m Mode) String() string {
	if m.Unprivileged {
		return "unprivileged node containers (every capability but CAP_SYS_RESOURCE): " + m.Reason
	}
	return "privileged node containers (kind's default): " + m.Reason
}

// UnprivilegedFlags replace --privileged on a node's `docker run`: every
// capability the daemon can grant, no seccomp, AppArmor or masked paths,
// every device allowed and /dev/kmsg for kubelet. The node's entrypoint
// remounts /sys and the cgroup controllers read-write itself.
func UnprivilegedFlags() []string {
	return []string{
		"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
		"--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
		"--security-opt", "systempaths=unconfined",
		"--device-cgroup-rule", "a *:* rwm", "--device", "/dev/kmsg",
	}
}

// ProbeMode starts a throwaway container of image with --privileged and
// without: a daemon that starts the second but not the first (its
// capability bounding set lacks one, as in sandboxed CI) gets the
// unprivileged mode.
func ProbeMode(ctx context.Context, image string) (Mode, error) {
	run := func(extra ...string) error {
		args := append(append([]string{"run", "--rm", "--entrypoint", "/bin/true"}, extra...), image)
		out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s", firstLine(string(out), err))
		}
		return nil
	}
	if err := run("--privileged"); err == nil {
		return Mode{Reason: "the Docker daemon starts privileged containers"}, nil
	} else if plain := run(); plain != nil {
		return Mode{}, fmt.Errorf("the Docker daemon cannot start a container of %s: %w", image, plain)
	} else {
		return Mode{Unprivileged: true, Reason: "the Docker daemon refuses --privileged (" + err.Error() + ")"}, nil
	}
}

func firstLine(out string, err error) string {
	out = strings.TrimSpace(out)
	if out == "" {
		return err.Error()
	}
	line, _, _ := strings.Cut(out, "\n")
	return line
}

// wrapperScript is the docker kind runs in the unprivileged mode: on
// `docker run` it replaces --privileged with UnprivilegedFlags; on `docker
// exec` (kind runs every node command privileged) it drops it, so the
// command gets the node container's own capabilities. Every other command
// and argument goes to the real docker unchanged.
func wrapperScript(realDocker string) string {
	var quoted []string
	for _, f := range UnprivilegedFlags() {
		quoted = append(quoted, "'"+f+"'")
	}
	return `#!/bin/sh
# Written by fleetbench's kind provider: the Docker daemon here refuses
# --privileged, so node containers get every capability but CAP_SYS_RESOURCE.
if [ "$1" = run ] || [ "$1" = exec ]; then
  cmd=$1
  for arg in "$@"; do
    shift
    if [ "$arg" = --privileged ] && [ "$cmd" = run ]; then
      set -- "$@" ` + strings.Join(quoted, " ") + `
    elif [ "$arg" = --privileged ]; then
      :
    else
      set -- "$@" "$arg"
    fi
  done
fi
exec '` + realDocker + `' "$@"
`
}

// installWrapper writes the wrapper into dir and puts dir first on this
// process's PATH, which kind's library searches for docker.
func installWrapper(dir string) error {
	real, err := exec.LookPath("docker")
	if err != nil {
		return fmt.Errorf("kind needs the docker command: %w", err)
	}
	if real, err = filepath.Abs(real); err != nil {
		return err
	}
	wrapper := filepath.Join(dir, "docker")
	if real == wrapper {
		return nil // already first on PATH
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(wrapper, []byte(wrapperScript(real)), 0o755); err != nil {
		return err
	}
	return os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}
