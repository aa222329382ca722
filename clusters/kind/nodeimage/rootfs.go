package nodeimage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Suite is the Debian release of the node's root filesystem: bookworm's
// systemd 252 boots on the cgroup v1 hosts that trixie's 257 dislikes.
const Suite = "bookworm"

// DefaultMirror is where debootstrap fetches packages.
const DefaultMirror = "http://deb.debian.org/debian"

// Packages are what kind's base image installs that a node needs here:
// systemd as init, containerd and runc (Debian's), the CNI plugins, the
// network and mount tools kubelet and kube-proxy call, and redis-server,
// whose image (the stack's Redis) shares this root filesystem as its layer.
func packages() []string {
	return []string{
		"systemd", "systemd-sysv", "dbus", "iproute2", "iptables", "nftables", "kmod", "mount", "procps",
		"containerd", "runc", "containernetworking-plugins", "conntrack", "ethtool", "socat",
		"util-linux", "ca-certificates", "libseccomp2", "bash", "redis-server",
	}
}

// trimmed are removed after debootstrap: nothing in a node reads them, and
// Redis runs as the stack's pod, not as a service of every node.
func trimmed() []string {
	return []string{"var/cache/apt/archives", "usr/share/doc", "usr/share/man", "usr/share/locale", "usr/share/info",
		"etc/systemd/system/multi-user.target.wants/redis-server.service"}
}

// rootfsKey names a root filesystem build by what goes into it.
func rootfsKey(mirror string) string {
	h := sha256.Sum256([]byte(strings.Join(append([]string{Suite, mirror}, append(packages(), trimmed()...)...), "\n")))
	return hex.EncodeToString(h[:])[:12]
}

// ensureRootfs returns the path of the root filesystem as an uncompressed
// tar (one image layer), debootstrapping it when it is not cached.
func (b *builder) ensureRootfs(ctx context.Context) (string, error) {
	dir := filepath.Join(b.dir, "rootfs-"+Suite+"-"+rootfsKey(b.mirror))
	out := filepath.Join(dir, "rootfs.tar")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("building the node's root filesystem runs debootstrap, which needs root")
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", fmt.Errorf("building the node's root filesystem needs debootstrap (Debian package debootstrap; `make deps` installs it as root): %w", err)
	}
	tree := filepath.Join(dir, "tree")
	if err := os.RemoveAll(tree); err != nil {
		return "", err
	}
	if err := os.MkdirAll(tree, 0o755); err != nil {
		return "", err
	}
	// A failed or interrupted debootstrap leaves nothing half-made behind.
	defer os.RemoveAll(tree)
	fmt.Fprintf(b.progress, "debootstrap %s from %s (about a minute or more; cached in %s)\n", Suite, b.mirror, dir)
	start := time.Now()
	args := []string{"--variant=minbase", "--include=" + strings.Join(packages(), ","), Suite, tree, b.mirror}
	if err := b.run(ctx, filepath.Join(dir, "debootstrap.log"), "debootstrap", args...); err != nil {
		return "", err
	}
	for _, t := range trimmed() {
		if err := os.RemoveAll(filepath.Join(tree, t)); err != nil {
			return "", err
		}
	}
	// A fresh machine id per node comes from the entrypoint.
	if err := os.WriteFile(filepath.Join(tree, "etc", "machine-id"), nil, 0o444); err != nil {
		return "", err
	}
	tmp := out + ".tmp"
	if err := b.run(ctx, filepath.Join(dir, "tar.log"), "tar", "--numeric-owner", "--xattrs", "-C", tree, "-cf", tmp, "."); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return "", err
	}
	fmt.Fprintf(b.progress, "root filesystem built in %s\n", time.Since(start).Round(time.Second))
	return out, nil
}
