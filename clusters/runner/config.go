// Package runner realizes Kubernetes pods as local processes: the pod
// runner of the local cluster provider. It plays kubelet's part for pods
// labelled fleetbench.dev/run=process on the cluster's kwok nodes.
package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/fleetbench/fleetbench/scenarios"
)

// Config is the runner's configuration, written by the local provider.
type Config struct {
	Kubeconfig string `json:"kubeconfig"`
	// Server is the API server URL handed to pods (KUBERNETES_SERVICE_*
	// and their kubeconfig); CAFile is its CA.
	Server string `json:"server"`
	CAFile string `json:"caFile"`
	// PodsDir holds one directory per pod: logs, pid files, kubeconfig.
	PodsDir    string `json:"podsDir"`
	HealthAddr string `json:"healthAddr"`
	// Images maps an image (without tag or digest) to the command that
	// stands for its entrypoint; a command without a slash is looked up
	// in PATH when the pod starts.
	Images map[string][]string `json:"images,omitempty"`
	// BinDir holds the stack's binaries: image fleetbench/NAME runs
	// BinDir/NAME unless Images says otherwise.
	BinDir string `json:"binDir,omitempty"`
	// Startup is sampled before each pod's processes start (image pull,
	// container creation); times are multiplied by TimeScale.
	Startup   scenarios.Distribution `json:"startup"`
	TimeScale float64                `json:"timeScale"`
	Seed      uint64                 `json:"seed"`
	// RangeLockDir holds the host-wide locks on pod IP ranges (default
	// $TMPDIR/fleetbench-pod-ranges).
	RangeLockDir string `json:"rangeLockDir,omitempty"`
}

// RangeDir is where pod IP ranges are claimed.
func (c Config) RangeDir() string {
	if c.RangeLockDir != "" {
		return c.RangeLockDir
	}
	return filepath.Join(os.TempDir(), "fleetbench-pod-ranges")
}

// DefaultImages are the images every stack uses.
func DefaultImages() map[string][]string {
	return map[string][]string{"redis": {"redis-server"}}
}

// ReadConfig loads a runner configuration file.
func ReadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("runner config %s: %w", path, err)
	}
	if c.Kubeconfig == "" || c.PodsDir == "" || c.HealthAddr == "" {
		return c, fmt.Errorf("runner config %s: kubeconfig, podsDir and healthAddr are required", path)
	}
	if c.TimeScale <= 0 {
		c.TimeScale = 1
	}
	return c, nil
}

// imageName strips the tag and digest: "redis:7.2@sha256:…" → "redis",
// "docker.io/library/redis" → "redis".
func imageName(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		image = image[:i]
	}
	for _, p := range []string{"docker.io/library/", "docker.io/"} {
		image = strings.TrimPrefix(image, p)
	}
	return image
}

// Resolve checks that an image has a local command and that it exists.
func (c Config) Resolve(image string) error {
	_, err := c.command(image, nil, nil)
	return err
}

// command resolves a container's argv: the image's local command, then
// the container's command minus its first element (the image's own
// entrypoint path, meaningless here), then its args.
func (c Config) command(image string, command, args []string) ([]string, error) {
	name := imageName(image)
	prefix, ok := c.Images[name]
	if !ok {
		prefix, ok = DefaultImages()[name]
	}
	if !ok && strings.HasPrefix(name, "fleetbench/") && c.BinDir != "" {
		prefix, ok = []string{filepath.Join(c.BinDir, strings.TrimPrefix(name, "fleetbench/"))}, true
	}
	if !ok || len(prefix) == 0 {
		return nil, fmt.Errorf("image %q has no local command (map it in the runner's images)", image)
	}
	bin := prefix[0]
	if !strings.Contains(bin, "/") {
		p, err := exec.LookPath(bin)
		if err != nil {
			return nil, fmt.Errorf("image %q needs %s, which is not in PATH: %w", image, bin, err)
		}
		bin = p
	} else if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("image %q needs %s: %w", image, bin, err)
	}
	argv := append([]string{bin}, prefix[1:]...)
	if len(command) > 1 {
		argv = append(argv, command[1:]...)
	}
	return append(argv, args...), nil
}
