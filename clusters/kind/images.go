package kind

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/fleetbench/fleetbench/clusters/kind/ociarchive"
)

// StackCommands are the stack's binaries and the workers' (loadgen and sim
// run as Jobs with --workers), each shipped as image fleetbench/NAME:dev
// (the local runner maps the same names to BinDir/NAME).
func StackCommands() []string {
	return []string{"roomserver", "matchmaker", "fleetd", "loadgen", "sim"}
}

// ImageTag is the tag the manifests use for the stack's images.
const ImageTag = "dev"

// modulePath is where the commands are built from: the checkout the
// provider runs in (kind images are built from source, never pulled).
const modulePath = "github.com/fleetbench/fleetbench"

// StackImages are the stack's images: each one layer holding a static
// binary (CGO_ENABLED=0) built under dir, so an image needs no base.
func StackImages(dir string, commands []string) []ociarchive.Image {
	var out []ociarchive.Image
	for _, name := range commands {
		out = append(out, ociarchive.Image{
			Ref:        "fleetbench/" + name + ":" + ImageTag,
			Layers:     []ociarchive.Layer{{Files: map[string]string{"/" + name: filepath.Join(dir, name)}}},
			Entrypoint: []string{"/" + name},
		})
	}
	return out
}

// BuildCommand is the go build that makes a command's static binary.
func BuildCommand(dir, name string) []string {
	return []string{"go", "build", "-trimpath", "-o", filepath.Join(dir, name), modulePath + "/cmd/" + name}
}

// loadImages builds the stack's images and imports them into every node
// but the control plane (what `kind load image-archive` does), straight
// from an archive: no registry, and nothing left in Docker's image store.
func (c *Cluster) loadImages(ctx context.Context, all []nodes.Node) error {
	work, err := os.MkdirTemp("", "fleetbench-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	for _, name := range StackCommands() {
		argv := BuildCommand(work, name)
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("kind: building the %s image (run from the fleetbench checkout): %w\n%s", name, err, strings.TrimSpace(string(out)))
		}
	}
	// Kept beside the kubeconfig: nodes Karpenter starts later load it too.
	archive := c.stackArchive()
	if err := os.MkdirAll(filepath.Dir(archive), 0o755); err != nil {
		return err
	}
	if err := ociarchive.WriteFile(archive, StackImages(work, StackCommands())...); err != nil {
		return fmt.Errorf("kind: the stack's images: %w", err)
	}
	for _, n := range all {
		if role, _ := n.Role(); role == "control-plane" {
			continue
		}
		if err := loadArchive(n, archive); err != nil {
			return fmt.Errorf("kind: loading the stack's images into %s: %w", n, err)
		}
	}
	fmt.Fprintf(c.opts.Progress, "kind: loaded %s into the nodes\n", strings.Join(StackCommands(), ", "))
	return nil
}
