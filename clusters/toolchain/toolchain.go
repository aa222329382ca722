// Package toolchain builds pinned upstream binaries (etcd, Kubernetes, kwok,
// Karpenter, CoreDNS) from source into a cache shared by every cluster
// provider: the local provider runs them as processes, a kind node image
// packs them.
package toolchain

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The build modules live here as NAME.mod/NAME.sum rather than go.mod files:
// a directory holding a go.mod is another module, which go:embed refuses.
// scripts/tidy-toolchain.sh regenerates them.
//
//go:embed modules/*.mod modules/*.sum
var moduleFiles embed.FS

// kindProvider is the source of KindKarpenter's cloud provider. Its
// directory starts with "_" so that fleetbench's own module skips it: it
// imports Karpenter, whose Kubernetes libraries are not fleetbench's.
//
//go:embed all:_kindprovider
var kindProvider embed.FS

// Pinned upstream releases (some newer ones the module proxy refuses:
// docs/development.md). A bump needs the matching build
// modules re-tidied.
const (
	KubernetesVersion = "v1.37.1"
	EtcdVersion       = "v3.7.3"
	// CoreDNSVersion is what kubeadm v1.37.1 deploys (its constants.CoreDNSVersion).
	CoreDNSVersion = "v1.14.6"
	// KarpenterVersion: its kwok provider for the local cluster, our kind
	// provider for kind.
	KarpenterVersion = "v1.14.1"
)

// Component is one build of a build module.
type Component struct {
	// Name names the cache directory; empty means Module. Components
	// sharing a build module need distinct names.
	Name    string
	Module  string // build module: modules/<Module>.mod
	Version string // upstream release, for messages and the cache path
	Tools   []Tool
	// Assets are copied out of an upstream module after the build
	// (Karpenter's CRDs live beside its code, not in the binary).
	Assets []Asset
	// LDFlags is passed as go build -ldflags when set.
	LDFlags string
	// Static builds without cgo: the binaries run in images holding
	// nothing else.
	Static bool
	// Sources are packages of our own built inside the build module (a
	// provider compiled against the upstream's libraries): each file of
	// the FS lands under the module's directory Dir.
	Sources fs.FS
	Dir     string
}

// Tool is one binary built from a package of the component.
type Tool struct{ Name, Pkg string }

// Asset is a directory of YAML files in an upstream module.
type Asset struct {
	Module, Version, Dir string // upstream module and directory in it
	// Files, when set, are the only files of Dir copied.
	Files []string
	// Tree copies every file under Dir, keeping the layout (a
	// kustomization and the bases it names).
	Tree bool
	// Into is the directory under the component's cache, and the name
	// Toolchain.Assets finds it by: unique among the components.
	Into string
}

func (c Component) name() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Module
}

func etcd() Component {
	return Component{Module: "etcd", Version: EtcdVersion, Tools: []Tool{{"etcd", "go.etcd.io/etcd/server/v3"}}}
}

// Local is what the local provider runs: a control plane, kwok nodes and
// Karpenter's kwok provider.
func Local() []Component {
	return []Component{
		etcd(),
		{Module: "kubernetes", Version: KubernetesVersion, Tools: []Tool{
			{"kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver"},
			{"kube-controller-manager", "k8s.io/kubernetes/cmd/kube-controller-manager"},
			{"kube-scheduler", "k8s.io/kubernetes/cmd/kube-scheduler"},
			// Not needed by the cluster; `cluster up` points users at it.
			{"kubectl", "k8s.io/kubernetes/cmd/kubectl"},
		}},
		{Module: "kwok", Version: "v0.8.0", Tools: []Tool{{"kwok", "sigs.k8s.io/kwok/cmd/kwok"}}},
		{Module: "karpenter", Version: KarpenterVersion, Tools: []Tool{{"karpenter", "sigs.k8s.io/karpenter/kwok"}}, Assets: karpenterCRDs()},
	}
}

// KindKarpenter is Karpenter with the cloud provider of kind's node
// containers (_kindprovider), built in Karpenter's own build module.
func KindKarpenter() Component {
	src, err := fs.Sub(kindProvider, "_kindprovider")
	if err != nil {
		panic(err) // the directory is embedded: a missing one is a build bug
	}
	return Component{Name: "karpenter-kind", Module: "karpenter", Version: KarpenterVersion,
		Tools:   []Tool{{"karpenter", "fleetbench.local/build/karpenter/kindprovider"}},
		Sources: src, Dir: "kindprovider", Assets: karpenterCRDs()}
}

// karpenterCRDs are Karpenter's and its kwok node class's CRDs.
func karpenterCRDs() []Asset {
	return []Asset{
		{Module: "sigs.k8s.io/karpenter", Version: KarpenterVersion, Dir: "kwok/charts/crds", Into: "crds"},
		{Module: "sigs.k8s.io/karpenter", Version: KarpenterVersion, Dir: "kwok/apis/crds", Into: "crds"},
	}
}

// KindNode is what a kind node image needs to run kubeadm. etcd is Local's
// component, so both share one build.
func KindNode() []Component {
	return []Component{
		etcd(),
		{Name: "kubernetes-node", Module: "kubernetes-node", Version: KubernetesVersion, Tools: []Tool{
			{"kubelet", "k8s.io/kubernetes/cmd/kubelet"},
			{"kubeadm", "k8s.io/kubernetes/cmd/kubeadm"},
			{"kube-proxy", "k8s.io/kubernetes/cmd/kube-proxy"},
			{"kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver"},
			{"kube-controller-manager", "k8s.io/kubernetes/cmd/kube-controller-manager"},
			{"kube-scheduler", "k8s.io/kubernetes/cmd/kube-scheduler"},
			{"kubectl", "k8s.io/kubernetes/cmd/kubectl"},
		}, LDFlags: kubeVersionLDFlags(KubernetesVersion)},
		{Module: "coredns", Version: CoreDNSVersion, Tools: []Tool{{"coredns", "github.com/coredns/coredns"}}},
	}
}

// kubeVersionLDFlags stamps the release into the binaries as upstream's
// hack/lib/version.sh does: kubeadm picks image tags and checks version skew
// from it, and unstamped binaries report v0.0.0-master. gitCommit and
// buildDate stay unset, keeping the build reproducible.
func kubeVersionLDFlags(version string) string {
	v := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3) // major, minor, patch
	var flags []string
	for _, pkg := range []string{"k8s.io/component-base/version", "k8s.io/client-go/pkg/version"} {
		flags = append(flags, fmt.Sprintf("-X %[1]s.gitVersion=%[2]s -X %[1]s.gitMajor=%[3]s -X %[1]s.gitMinor=%[4]s -X %[1]s.gitTreeState=clean",
			pkg, version, v[0], v[1]))
	}
	return strings.Join(flags, " ")
}

// Toolchain is where the built binaries and assets are.
type Toolchain struct {
	bins   map[string]string // binary name → path
	assets map[string]string // Asset.Into → directory
	// KarpenterCRDs is the directory of Karpenter's and its kwok provider's CRDs.
	KarpenterCRDs string
}

// Assets returns the directory of the ensured asset copied into into
// ("kruise-crds", …), or "" when none of the ensured components has it.
func (t Toolchain) Assets(into string) string { return t.assets[into] }

// Binary returns the path of a built binary ("kube-apiserver", "etcd", …),
// or "" when none of the ensured components has it.
func (t Toolchain) Binary(name string) string { return t.bins[name] }

// DefaultCacheDir is ${XDG_CACHE_HOME:-~/.cache}/fleetbench.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	return filepath.Join(dir, "fleetbench"), nil
}
