// Package okg installs the fleet controllers teams run with OpenKruiseGame
// into a cluster: OpenKruise's manager, kruise-game's manager and KEDA's
// operator and metrics server, built from their modules by the toolchain
// and deployed from each upstream's own kustomize tree with the overlays
// here (images built here, what is not installed left out).
package okg

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind/ociarchive"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

//go:embed overlays
var overlays embed.FS

// controller is one upstream install: its overlay, the toolchain asset
// holding its kustomize tree, and its images.
type controller struct {
	name    string // overlays/<name>, and the asset <name>-config
	title   string // as its project spells it
	version string
	images  []image
}

// image is a one-layer image holding a toolchain binary at the path
// upstream's manifests run, as the user upstream's image runs it.
type image struct{ repo, binary, path, user string }

func controllers() []controller {
	return []controller{
		// Its manifest sets the user (65534).
		{"kruise", "OpenKruise", toolchain.KruiseVersion, []image{{"fleetbench/kruise-manager", "kruise-manager", "/manager", ""}}},
		{"kruise-game", "kruise-game", toolchain.KruiseGameVersion, []image{{"fleetbench/kruise-game-manager", "kruise-game-manager", "/manager", ""}}},
		// KEDA's manifests ask for a non-root user; its Dockerfiles name it.
		{"keda", "KEDA", toolchain.KEDAVersion, []image{
			{"fleetbench/keda", "keda", "/keda", "65532:65532"},
			{"fleetbench/keda-metrics-apiserver", "keda-adapter", "/keda-adapter", "65532:65532"}}},
	}
}

// Images are the controllers' images, from the ensured toolchain tc.
func Images(tc toolchain.Toolchain) ([]ociarchive.Image, error) {
	var out []ociarchive.Image
	for _, c := range controllers() {
		for _, im := range c.images {
			bin := tc.Binary(im.binary)
			if bin == "" {
				return nil, fmt.Errorf("okg: %s is not built (toolchain.OKG)", im.binary)
			}
			out = append(out, ociarchive.Image{
				Ref:        im.repo + ":" + c.version,
				Layers:     []ociarchive.Layer{{Files: map[string]string{im.path: bin}}},
				Entrypoint: []string{im.path},
				User:       im.user,
			})
		}
	}
	return out, nil
}

// Controller is one controller's objects: CRDs, RBAC, Deployments,
// Services, webhook configurations (and KEDA's external metrics
// APIService).
type Controller struct {
	Name    string // "OpenKruise", "kruise-game", "KEDA"
	Version string
	Objects []*unstructured.Unstructured
}

// Render is every controller's objects in install order: OpenKruise
// first, whose pod webhook then admits the others' pods.
func Render(tc toolchain.Toolchain) ([]Controller, error) {
	return render(tc.Assets)
}

// render renders with config(name) the directory of upstream name's
// config tree.
func render(config func(name string) string) ([]Controller, error) {
	work, err := os.MkdirTemp("", "fleetbench-okg-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var out []Controller
	for _, c := range controllers() {
		upstream := config(c.name + "-config")
		if upstream == "" {
			return nil, fmt.Errorf("okg: %s's config is not built (toolchain.OKG)", c.name)
		}
		kz, err := overlays.ReadFile("overlays/" + c.name + "/kustomization.yaml")
		if err != nil {
			return nil, err
		}
		dir := filepath.Join(work, c.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		// kustomize takes bases by relative path only.
		rel, err := filepath.Rel(dir, upstream)
		if err != nil {
			return nil, err
		}
		kz = []byte(strings.NewReplacer("UPSTREAM", filepath.ToSlash(rel), "TAG", c.version).Replace(string(kz)))
		if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), kz, 0o644); err != nil {
			return nil, err
		}
		m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
		if err != nil {
			return nil, fmt.Errorf("okg: rendering %s %s: %w", c.name, c.version, err)
		}
		y, err := m.AsYaml()
		if err != nil {
			return nil, fmt.Errorf("okg: rendering %s %s: %w", c.name, c.version, err)
		}
		decoded, err := clusters.DecodeObjects(y)
		if err != nil {
			return nil, fmt.Errorf("okg: rendering %s %s: %w", c.name, c.version, err)
		}
		ctl := Controller{Name: c.title, Version: c.version}
		for _, o := range decoded {
			if !skipped(o) {
				ctl.Objects = append(ctl.Objects, o)
			}
		}
		// kustomize keeps its inputs' order, in which kruise's Namespace
		// follows objects in it: Namespaces and CRDs go first.
		slices.SortStableFunc(ctl.Objects, func(a, b *unstructured.Unstructured) int { return first(a) - first(b) })
		out = append(out, ctl)
	}
	return out, nil
}

// first orders what other objects need before them.
func first(o *unstructured.Unstructured) int {
	switch o.GetKind() {
	case "Namespace":
		return 0
	case "CustomResourceDefinition":
		return 1
	}
	return 2
}

// skipped are upstream objects not installed here: kruise-daemon (its
// features are gated off) and cert-manager's, which is not installed
// (kruise-game makes its own certificates instead). A kustomize delete
// patch cannot drop them: kruise-game's vars name its Certificate.
func skipped(o *unstructured.Unstructured) bool {
	return o.GroupVersionKind().Group == "cert-manager.io" ||
		(o.GetKind() == "DaemonSet" && o.GetName() == "kruise-daemon")
}
