package nodeimage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/fleetbench/fleetbench/clusters/kind/ociarchive"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

// PauseImage is the sandbox image containerd is configured with
// (files/containerd.toml) and preloads.
const PauseImage = "registry.k8s.io/pause:" + pauseVersion

const pauseVersion = "3.10.2"

// Image tags that kubeadm is told to use (the kind provider's kubeadm
// patches): the versions actually built, not kubeadm's defaults.
const (
	EtcdTag    = toolchain.EtcdVersion
	CoreDNSTag = toolchain.CoreDNSVersion
	// RedisImage is the stack's Redis (manifests/base/redis.yaml): Debian's
	// redis-server, which the node's root filesystem holds.
	RedisImage = "redis:7"
)

// nodeBinaries are the node's own Kubernetes commands, in /usr/bin.
func nodeBinaries() []string { return []string{"kubelet", "kubeadm", "kubectl"} }

// preload is one image in the node's containerd.
type preload struct {
	ref        string
	binary     string // toolchain binary, "pause", or "" (root filesystem only)
	path       string // where the binary goes in the image
	entrypoint []string
	rootfs     bool // on the node's root filesystem (dynamic binaries, kube-proxy's iptables)
}

func preloaded() []preload {
	k := func(name string) preload {
		return preload{ref: "registry.k8s.io/" + name + ":" + toolchain.KubernetesVersion, binary: name, path: "/usr/local/bin/" + name, rootfs: true}
	}
	return []preload{
		k("kube-apiserver"), k("kube-controller-manager"), k("kube-scheduler"), k("kube-proxy"),
		{ref: "registry.k8s.io/etcd:" + EtcdTag, binary: "etcd", path: "/usr/local/bin/etcd", rootfs: true},
		{ref: "registry.k8s.io/coredns/coredns:" + CoreDNSTag, binary: "coredns", path: "/coredns", entrypoint: []string{"/coredns"}, rootfs: true},
		{ref: PauseImage, binary: "pause", path: "/pause", entrypoint: []string{"/pause"}},
		{ref: RedisImage, entrypoint: []string{"redis-server"}, rootfs: true},
	}
}

// images are the preloaded images as archive entries.
func (in inputs) images() []ociarchive.Image {
	var out []ociarchive.Image
	for _, p := range preloaded() {
		im := ociarchive.Image{Ref: p.ref, Entrypoint: p.entrypoint, Labels: map[string]string{"dev.fleetbench.built": "offline"},
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}
		if p.rootfs {
			im.Layers = append(im.Layers, ociarchive.Layer{Tar: in.rootfs})
		}
		switch p.binary {
		case "":
		case "pause":
			im.Layers = append(im.Layers, ociarchive.Layer{Files: map[string]string{p.path: in.pause}})
		default:
			im.Layers = append(im.Layers, ociarchive.Layer{Files: map[string]string{p.path: in.tc.Binary(p.binary)}})
		}
		out = append(out, im)
	}
	return out
}

// ensurePause builds Kubernetes' pause container statically from its C
// source in the Kubernetes module.
func (b *builder) ensurePause(ctx context.Context) (string, error) {
	dir := filepath.Join(b.dir, "pause-"+pauseVersion+"-"+toolchain.KubernetesVersion)
	out := filepath.Join(dir, "pause")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", "k8s.io/kubernetes@"+toolchain.KubernetesVersion)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	js, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("locating the Kubernetes module: %w", err)
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(js, &mod); err != nil || mod.Dir == "" {
		return "", fmt.Errorf("locating the Kubernetes module: %v %s", err, mod.Error)
	}
	src := filepath.Join(mod.Dir, "build", "pause", "linux", "pause.c")
	if err := b.run(ctx, filepath.Join(dir, "build.log"), "gcc", "-Os", "-Wall", "-static", "-DVERSION=v"+pauseVersion+"-fleetbench", "-o", out+".tmp", src); err != nil {
		return "", fmt.Errorf("static pause needs gcc and glibc's static libraries (Debian libc6-dev): %w", err)
	}
	return out, os.Rename(out+".tmp", out)
}
