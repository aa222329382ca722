package okg

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

// upstreamConfigs finds the pinned releases' config trees in the module
// cache (downloading them as the toolchain's build does).
func upstreamConfigs(t *testing.T) func(string) string {
	t.Helper()
	dirs := map[string]string{}
	for name, mod := range map[string]string{
		"kruise-config":      "github.com/openkruise/kruise@" + toolchain.KruiseVersion,
		"kruise-game-config": "github.com/openkruise/kruise-game@" + toolchain.KruiseGameVersion,
		"keda-config":        "github.com/kedacore/keda/v2@" + toolchain.KEDAVersion,
	} {
		cmd := exec.Command("go", "mod", "download", "-json", mod)
		cmd.Dir = t.TempDir()
		cmd.Env = append(cmd.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.Output()
		var info struct{ Dir string }
		if err != nil || json.Unmarshal(out, &info) != nil || info.Dir == "" {
			t.Fatalf("go mod download %s: %v %s", mod, err, out)
		}
		dirs[name] = filepath.Join(info.Dir, "config")
	}
	return func(name string) string { return dirs[name] }
}

// TestRenderIsUpstreamsInstallWithOurImages: each overlay applies to its
// pinned upstream tree; what is not installed here (kruise-daemon,
// cert-manager's objects) is gone; every container runs an image built
// here, never pulled.
func TestRenderIsUpstreamsInstallWithOurImages(t *testing.T) {
	ctls, err := render(upstreamConfigs(t))
	if err != nil {
		t.Fatal(err)
	}
	var objs []*unstructured.Unstructured
	var names []string
	for _, c := range ctls {
		objs = append(objs, c.Objects...)
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "OpenKruise kruise-game KEDA" {
		t.Errorf("install order %s, want OpenKruise first", got)
	}
	for _, c := range ctls {
		namespaces := map[string]bool{}
		for _, o := range c.Objects {
			if o.GetKind() == "Namespace" {
				namespaces[o.GetName()] = true
			} else if ns := o.GetNamespace(); ns != "" && !namespaces[ns] && ns != "kube-system" {
				t.Errorf("%s: %s %s/%s comes before its Namespace", c.Name, o.GetKind(), ns, o.GetName())
			}
		}
	}
	kinds := map[string]int{}
	var deployments []string
	for _, o := range objs {
		kinds[o.GetKind()]++
		switch o.GetKind() {
		case "DaemonSet", "Issuer", "Certificate":
			t.Errorf("%s %s/%s rendered; it is not installed here", o.GetKind(), o.GetNamespace(), o.GetName())
		case "Deployment":
			deployments = append(deployments, o.GetNamespace()+"/"+o.GetName())
			checkContainers(t, o)
		}
	}
	slices.Sort(deployments)
	want := "keda/keda-metrics-apiserver keda/keda-operator kruise-game-system/kruise-game-controller-manager kruise-system/kruise-controller-manager"
	if got := strings.Join(deployments, " "); got != want {
		t.Errorf("deployments %s, want %s", got, want)
	}
	for kind, least := range map[string]int{"CustomResourceDefinition": 20, "MutatingWebhookConfiguration": 2, "ValidatingWebhookConfiguration": 2, "APIService": 1} {
		if kinds[kind] < least {
			t.Errorf("%d %s, want at least %d", kinds[kind], kind, least)
		}
	}
}

func checkContainers(t *testing.T, d *unstructured.Unstructured) {
	t.Helper()
	if pool, _, _ := unstructured.NestedString(d.Object, "spec", "template", "spec", "nodeSelector", clusters.PoolLabel); pool != clusters.PoolSystem {
		t.Errorf("%s runs on pool %q, want %s", d.GetName(), pool, clusters.PoolSystem)
	}
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, c := range containers {
		c := c.(map[string]any)
		image, _ := c["image"].(string)
		if !strings.HasPrefix(image, "fleetbench/") || c["imagePullPolicy"] != "Never" {
			t.Errorf("%s container %v: image %q pull %v, want a fleetbench/ image never pulled", d.GetName(), c["name"], image, c["imagePullPolicy"])
		}
		args, _ := c["args"].([]any)
		for _, a := range args {
			if s, _ := a.(string); strings.Contains(s, "AllAlpha") || s == "--enable-cert-generation=false" {
				t.Errorf("%s runs with %s", d.GetName(), s)
			}
		}
	}
}

// TestImagesNeedTheBuiltBinaries: an image of a binary the toolchain did
// not build is an error naming it, not an empty layer.
func TestImagesNeedTheBuiltBinaries(t *testing.T) {
	if _, err := Images(toolchain.Toolchain{}); err == nil || !strings.Contains(err.Error(), "kruise-manager") {
		t.Errorf("Images of an empty toolchain: %v, want an error naming kruise-manager", err)
	}
}
