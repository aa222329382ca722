package toolchain

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestFailedBuildNamesComponentAndLog(t *testing.T) {
	bogus := []Component{{Module: "etcd", Version: "v0", Tools: []Tool{{"nope", "example.invalid/nope"}}}}
	var progress bytes.Buffer
	_, err := Ensure(context.Background(), t.TempDir(), &progress, bogus)
	if err == nil {
		t.Fatal("building a package no module provides succeeded")
	}
	for _, want := range []string{"building etcd v0", "build.log", "example.invalid/nope"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestCacheDirKeyedByNameAndLDFlags(t *testing.T) {
	dir := func(c Component) string {
		t.Helper()
		d, err := c.cacheDir("/cache")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a := Component{Name: "a", Module: "kubernetes", Version: "v1"}
	b := a
	b.Name = "b"
	if dir(a) == dir(b) {
		t.Errorf("components a and b of one build module share %s", dir(a))
	}
	stamped := a
	stamped.LDFlags = "-X main.v=1"
	if dir(a) == dir(stamped) {
		t.Errorf("LDFlags do not change the cache key %s", dir(a))
	}
	static := a
	static.Static = true
	tree := a
	tree.Assets = []Asset{{Module: "m", Version: "v1", Dir: "config", Tree: true, Into: "m-config"}}
	if dir(a) == dir(static) || dir(a) == dir(tree) {
		t.Errorf("Static or a copied tree do not change the cache key %s", dir(a))
	}
	unnamed := a
	unnamed.Name = ""
	if got := filepath.Base(dir(unnamed)); !strings.HasPrefix(got, "kubernetes-v1-") {
		t.Errorf("unnamed component's cache dir %s is not named after its module", got)
	}
}

func TestPruneStaleKeepsComponentsSharingAPrefix(t *testing.T) {
	root := t.TempDir()
	keep := filepath.Join(root, "kubernetes-v1.37.1-aaaaaaaaaaaa")
	for _, d := range []string{keep, "kubernetes-v1.36.0-bbbbbbbbbbbb", "kubernetes-node-v1.37.1-cccccccccccc"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Base(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "kubernetes-node.lock"), nil, 0o644)
	pruneStale(root, "kubernetes", keep)
	entries, _ := os.ReadDir(root)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := "kubernetes-node-v1.37.1-cccccccccccc kubernetes-node.lock kubernetes-v1.37.1-aaaaaaaaaaaa"
	if got := strings.Join(left, " "); got != want {
		t.Errorf("after pruning kubernetes: %s; want %s", got, want)
	}
}

func TestListsResolve(t *testing.T) {
	for _, cs := range [][]Component{Local(), KindNode(), OKG()} {
		for _, c := range cs {
			if _, err := c.cacheDir("/cache"); err != nil {
				t.Errorf("%s: %v", c.name(), err)
			}
		}
	}
	// The node image reuses the local build of etcd rather than building its own.
	l, _ := Local()[0].cacheDir("/cache")
	k, _ := KindNode()[0].cacheDir("/cache")
	if l != k {
		t.Errorf("etcd cache dirs differ: local %s, kind node %s", l, k)
	}
	flags := KindNode()[1].LDFlags
	for _, want := range []string{"k8s.io/component-base/version.gitVersion=" + KubernetesVersion, "k8s.io/client-go/pkg/version.gitMinor=37"} {
		if !strings.Contains(flags, want) {
			t.Errorf("kubernetes-node LDFlags %q lack %q", flags, want)
		}
	}
}

// TestSourcesKeyTheBuildAndLandInTheModule: an edited provider source is a
// new build, and the sources are written under the build module's Dir.
func TestSourcesKeyTheBuildAndLandInTheModule(t *testing.T) {
	c := KindKarpenter()
	before, err := c.cacheDir("/cache")
	if err != nil {
		t.Fatal(err)
	}
	c.Sources = fstest.MapFS{"main.go": {Data: []byte("package main\n")}}
	after, err := c.cacheDir("/cache")
	if err != nil {
		t.Fatal(err)
	}
	if before == after {
		t.Errorf("cache dir %s did not change with the sources", before)
	}
	src := t.TempDir()
	if err := c.writeSources(src); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(src, "kindprovider", "main.go")); err != nil || string(b) != "package main\n" {
		t.Errorf("written source: %q, %v", b, err)
	}
}
