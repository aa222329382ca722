package nodeimage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/clusters/kind/ociarchive"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

// Where the node files go in the image.
func nodeFiles(work string, tc toolchain.Toolchain) map[string]string {
	m := map[string]string{
		"/usr/local/bin/entrypoint":                             filepath.Join(work, "entrypoint"),
		"/etc/containerd/config.toml":                           filepath.Join(work, "containerd.toml"),
		"/etc/systemd/system/kubelet.service":                   filepath.Join(work, "kubelet.service"),
		"/etc/systemd/system/kubelet.service.d/10-kubeadm.conf": filepath.Join(work, "10-kubeadm.conf"),
		"/etc/systemd/system/fleetbench-dns.service":            filepath.Join(work, "fleetbench-dns.service"),
		"/kind/version":                                         filepath.Join(work, "version"),
	}
	for _, name := range nodeBinaries() {
		m["/usr/bin/"+name] = tc.Binary(name)
	}
	return m
}

// assemble makes the node image: the root filesystem and the node's files
// as a staged image, then the preloaded images imported into its
// containerd by the image's own ctr (as kind's node-image build does),
// then committed with the entrypoint.
func (b *builder) assemble(ctx context.Context, in inputs, ref string) (err error) {
	key := strings.TrimPrefix(ref, Repository+":")
	work := filepath.Join(b.dir, "node-"+key)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(work) // the archives are gigabytes; the image is the cache
	if err := writeFiles(work); err != nil {
		return err
	}
	stage := "fleetbench/kind-node-stage:" + key
	fmt.Fprintln(b.progress, "writing the staged node image and the preloaded images")
	if err := ociarchive.WriteFile(filepath.Join(work, "stage.tar"), ociarchive.Image{
		Ref:        stage,
		Layers:     []ociarchive.Layer{{Tar: in.rootfs}, {Files: nodeFiles(work, in.tc)}},
		Entrypoint: []string{"/usr/local/bin/entrypoint", "/sbin/init"},
		Env:        []string{"container=docker", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		StopSignal: "SIGRTMIN+3",
	}); err != nil {
		return err
	}
	if err := ociarchive.WriteFile(filepath.Join(work, "preload.tar"), in.images()...); err != nil {
		return err
	}
	if _, err := docker(ctx, "load", "-q", "-i", filepath.Join(work, "stage.tar")); err != nil {
		return err
	}
	defer docker(context.WithoutCancel(ctx), "rmi", stage)
	name := "fleetbench-nodeimage-" + key
	if _, err := docker(ctx, "run", "-d", "--name", name, "--entrypoint", "sleep", stage, "infinity"); err != nil {
		return err
	}
	defer docker(context.WithoutCancel(ctx), "rm", "-f", "-v", name)
	if err := importImages(ctx, name, filepath.Join(work, "preload.tar"), preloaded()); err != nil {
		return err
	}
	// kubelet starts with the node (until kubeadm configures it, it
	// retries), and so does the DNS relay.
	for _, unit := range []string{"kubelet.service", "fleetbench-dns.service"} {
		if _, err := docker(ctx, "exec", name, "ln", "-sf", "/etc/systemd/system/"+unit, "/etc/systemd/system/multi-user.target.wants/"+unit); err != nil {
			return err
		}
	}
	_, err = docker(ctx, "commit",
		"--change", `ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]`, "--change", `CMD []`,
		name, ref)
	return err
}

// importImages starts containerd in the build container and imports the
// archive unpacked later, on first use (kind's build does the same: no
// snapshotter works on every Docker storage driver).
func importImages(ctx context.Context, container, archive string, images []preload) error {
	if _, err := docker(ctx, "exec", "-d", container, "containerd", "--config", "/etc/containerd/config.toml"); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := docker(ctx, "exec", container, "ctr", "version"); err == nil {
			break
		} else if time.Now().After(deadline) {
			return fmt.Errorf("containerd in the build container never answered: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, "docker", "exec", "-i", container, "ctr", "--namespace=k8s.io", "images", "import",
		"--no-unpack", "--digests", "-")
	cmd.Stdin, cmd.Stderr = f, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ctr images import: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	// Pinned: kubelet's image garbage collection never removes them
	// (containerd 1.6's import cannot label as it imports).
	for _, im := range images {
		ref := im.ref
		if !strings.Contains(ref, "/") {
			ref = "docker.io/library/" + ref
		}
		if _, err := docker(ctx, "exec", container, "ctr", "--namespace=k8s.io", "images", "label", ref, "io.cri-containerd.pinned=pinned"); err != nil {
			return err
		}
	}
	// Stop containerd cleanly so its database is consistent in the commit.
	if _, err := docker(ctx, "exec", container, "pkill", "-TERM", "-x", "containerd"); err != nil {
		return err
	}
	for time.Now().Before(deadline.Add(30 * time.Second)) {
		if _, err := docker(ctx, "exec", container, "pgrep", "-x", "containerd"); err != nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("containerd in the build container did not stop")
}

// writeFiles writes the embedded node files and /kind/version into work.
func writeFiles(work string) error {
	err := fsWalk(func(name string, b []byte) error {
		mode := os.FileMode(0o644)
		if name == "entrypoint" {
			mode = 0o755
		}
		return os.WriteFile(filepath.Join(work, name), b, mode)
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(work, "version"), []byte(toolchain.KubernetesVersion+"\n"), 0o644)
}
