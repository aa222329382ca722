package nodeimage

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFollowsInputs(t *testing.T) {
	a := inputs{rootfs: "/c/rootfs-bookworm-1/rootfs.tar", pause: "/c/pause/pause"}
	b := a
	b.rootfs = "/c/rootfs-bookworm-2/rootfs.tar"
	first, again := a.key(), a.key()
	if first != again || first == b.key() || len(first) != 12 {
		t.Errorf("keys %q %q: want stable, 12 hex digits, and a new one for a new root filesystem", a.key(), b.key())
	}
	if rootfsKey(DefaultMirror) == rootfsKey("http://mirror.example/debian") {
		t.Error("another mirror is another root filesystem")
	}
}

// Every preloaded image the kubeadm patches and containerd name exists.
func TestPreloadedImagesMatchTheConfigs(t *testing.T) {
	refs := map[string]bool{}
	for _, p := range preloaded() {
		refs[p.ref] = true
	}
	conf, err := files.ReadFile("files/containerd.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(conf), `sandbox_image = "`+PauseImage+`"`) || !refs[PauseImage] {
		t.Errorf("containerd's sandbox image is not the preloaded %s", PauseImage)
	}
	for _, want := range []string{"registry.k8s.io/etcd:" + EtcdTag, "registry.k8s.io/coredns/coredns:" + CoreDNSTag, RedisImage, "registry.k8s.io/kube-proxy:v1.37.1"} {
		if !refs[want] {
			t.Errorf("%s is not preloaded", want)
		}
	}
}

// A debootstrap that cannot reach its mirror fails with its log named
// and leaves no half-made root filesystem.
func TestFailedRootfsLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs debootstrap")
	}
	if os.Geteuid() != 0 {
		t.Skip("debootstrap needs root")
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Skip("no debootstrap (Debian package debootstrap)")
	}
	dir := t.TempDir()
	var progress bytes.Buffer
	b := &builder{dir: dir, mirror: "http://127.0.0.1:9/debian", progress: &progress}
	_, err := b.ensureRootfs(context.Background())
	if err == nil || !strings.Contains(err.Error(), "debootstrap") || !strings.Contains(err.Error(), "debootstrap.log") {
		t.Fatalf("error %v: want the failed debootstrap and its log named", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*", "tree"))
	tars, _ := filepath.Glob(filepath.Join(dir, "*", "*.tar*"))
	if len(left) > 0 || len(tars) > 0 {
		t.Errorf("left behind: %v %v", left, tars)
	}
}
