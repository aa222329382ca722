// Package nodeimage builds a kind node image without a registry: a Debian
// root filesystem from debootstrap, the Kubernetes binaries built from
// their Go modules, and the control plane's, CoreDNS's, pause's and
// Redis's images preloaded into the node's containerd — what kind's
// `build node-image` does, except that it fetches nothing from a registry.
package nodeimage

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

//go:embed files
var files embed.FS

// Repository is where the built node images are tagged; the tag names the
// Kubernetes version and the build's inputs.
const Repository = "fleetbench/kind-node"

// Options configure a build.
type Options struct {
	// CacheDir is fleetbench's cache (toolchain.DefaultCacheDir); the
	// root filesystem, the preload archive and the binaries live there.
	CacheDir string
	// Mirror is the Debian mirror debootstrap uses (DefaultMirror).
	Mirror   string
	Progress io.Writer
}

type builder struct {
	dir, mirror string
	progress    io.Writer
}

// Ensure returns the node image, building it unless Docker holds it.
func Ensure(ctx context.Context, o Options) (string, error) {
	if o.Mirror == "" {
		o.Mirror = DefaultMirror
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	b := &builder{dir: filepath.Join(o.CacheDir, "kind"), mirror: o.Mirror, progress: o.Progress}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return "", err
	}
	tc, err := toolchain.Ensure(ctx, o.CacheDir, o.Progress, toolchain.KindNode())
	if err != nil {
		return "", err
	}
	rootfs, err := b.ensureRootfs(ctx)
	if err != nil {
		return "", fmt.Errorf("node image: %w", err)
	}
	pause, err := b.ensurePause(ctx)
	if err != nil {
		return "", fmt.Errorf("node image: pause: %w", err)
	}
	in := inputs{rootfs: rootfs, pause: pause, tc: tc}
	ref := Repository + ":" + toolchain.KubernetesVersion + "-" + in.key()
	if imageExists(ctx, ref) {
		return ref, nil
	}
	start := time.Now()
	fmt.Fprintf(o.Progress, "building node image %s\n", ref)
	if err := b.assemble(ctx, in, ref); err != nil {
		return "", fmt.Errorf("node image %s: %w", ref, err)
	}
	fmt.Fprintf(o.Progress, "node image built in %s\n", time.Since(start).Round(time.Second))
	pruneImages(ctx, ref)
	return ref, nil
}

// inputs are what a node image is made of; its tag is their hash.
type inputs struct {
	rootfs, pause string
	tc            toolchain.Toolchain
}

// recipe changes whenever the way the image is assembled changes, so an
// image of the old recipe is not reused.
const recipe = 2

func (in inputs) key() string {
	h := sha256.New()
	fmt.Fprintln(h, "recipe", recipe)
	// Cache paths carry the hash of what was built (rootfs key, build
	// module, Go version, ldflags), so hashing the paths is enough.
	fmt.Fprintln(h, in.rootfs, in.pause)
	for _, name := range nodeBinaries() {
		fmt.Fprintln(h, name, in.tc.Binary(name))
	}
	for _, im := range preloaded() {
		fmt.Fprintln(h, im.ref, im.binary, im.entrypoint)
	}
	_ = fsWalk(func(name string, b []byte) error {
		_, err := fmt.Fprintf(h, "%s %x\n", name, sha256.Sum256(b))
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// fsWalk calls f with each embedded node file, in a stable order.
func fsWalk(f func(name string, b []byte) error) error {
	entries, err := files.ReadDir("files")
	if err != nil {
		return err
	}
	for _, e := range entries {
		b, err := files.ReadFile("files/" + e.Name())
		if err != nil {
			return err
		}
		if err := f(e.Name(), b); err != nil {
			return err
		}
	}
	return nil
}

// pruneImages removes the older node images (each is a gigabyte); one a
// cluster still runs on stays (Docker refuses to remove it).
func pruneImages(ctx context.Context, keep string) {
	out, err := docker(ctx, "images", "--format", "{{.Repository}}:{{.Tag}}", Repository)
	if err != nil {
		return
	}
	for _, ref := range strings.Fields(out) {
		if ref != keep {
			docker(ctx, "rmi", ref)
		}
	}
}

// run runs a command, its output to logPath; a failure quotes its tail.
func (b *builder) run(ctx context.Context, logPath, name string, args ...string) error {
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w (log %s)%s", name, strings.Join(args, " "), err, logPath, tail(logPath))
	}
	return nil
}

// tail is the end of a log, for an error message.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return "\n" + strings.Join(lines[max(0, len(lines)-8):], "\n")
}

// imageExists reports whether Docker holds ref.
func imageExists(ctx context.Context, ref string) bool {
	return exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{.Id}}", ref).Run() == nil
}

// docker runs a docker command, returning its trimmed output.
func docker(ctx context.Context, args ...string) (string, error) {
	var out, errOut strings.Builder
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errOut.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("docker %s: %s", args[0], msg)
	}
	return strings.TrimSpace(out.String()), nil
}
