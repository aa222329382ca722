package local

import (
	"bufio"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// The build modules live here as NAME.mod/NAME.sum rather than go.mod files:
// a directory holding a go.mod is another module, which go:embed refuses.
// scripts/tidy-toolchain.sh regenerates them.
//
//go:embed toolchain/*.mod toolchain/*.sum
var toolchainFiles embed.FS

// component is one build module of the local cluster.
type component struct {
	module  string // build module name: toolchain/<module>.mod
	version string // upstream release, for messages and the cache path
	tools   []tool
	// assets copies files out of an upstream module after the build
	// (Karpenter's CRDs live beside its code, not in the binary).
	assets []asset
}

// tool is one binary built from a package of the component.
type tool struct{ name, pkg string }

type asset struct {
	module, version, dir string // upstream module and directory in it
	into                 string // directory under the component's cache
}

// components is the pinned toolchain (DESIGN §10).
var components = []component{
	{module: "etcd", version: "v3.7.3", tools: []tool{{"etcd", "go.etcd.io/etcd/server/v3"}}},
	{module: "kubernetes", version: "v1.37.1", tools: []tool{
		{"kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver"},
		{"kube-controller-manager", "k8s.io/kubernetes/cmd/kube-controller-manager"},
		{"kube-scheduler", "k8s.io/kubernetes/cmd/kube-scheduler"},
		// Not needed by the cluster; `cluster up` points users at it.
		{"kubectl", "k8s.io/kubernetes/cmd/kubectl"},
	}},
	{module: "kwok", version: "v0.8.0", tools: []tool{{"kwok", "sigs.k8s.io/kwok/cmd/kwok"}}},
	{module: "karpenter", version: "v1.14.1", tools: []tool{{"karpenter", "sigs.k8s.io/karpenter/kwok"}}, assets: []asset{
		{module: "sigs.k8s.io/karpenter", version: "v1.14.1", dir: "kwok/charts/crds", into: "crds"},
		{module: "sigs.k8s.io/karpenter", version: "v1.14.1", dir: "kwok/apis/crds", into: "crds"},
	}},
}

// Toolchain is where the built binaries and assets are.
type Toolchain struct {
	bins map[string]string // binary name → path
	// KarpenterCRDs is the directory of Karpenter's and its kwok provider's CRDs.
	KarpenterCRDs string
}

// Binary returns the path of a built binary ("kube-apiserver", "etcd", …).
func (t Toolchain) Binary(name string) string { return t.bins[name] }

// DefaultCacheDir is ${XDG_CACHE_HOME:-~/.cache}/fleetbench.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	return filepath.Join(dir, "fleetbench"), nil
}

// EnsureToolchain builds what is missing from the cache, reporting progress
// to w, and returns the paths. A component is rebuilt only when its
// version, its build module or the Go toolchain changes.
func EnsureToolchain(ctx context.Context, cacheDir string, w io.Writer) (Toolchain, error) {
	return ensure(ctx, cacheDir, w, components)
}

func ensure(ctx context.Context, cacheDir string, w io.Writer, components []component) (Toolchain, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return Toolchain{}, fmt.Errorf("building the local cluster needs the go command: %w", err)
	}
	tc := Toolchain{bins: map[string]string{}}
	for i, c := range components {
		dir, err := c.cacheDir(cacheDir)
		if err != nil {
			return Toolchain{}, err
		}
		if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
			fmt.Fprintf(w, "[%d/%d] building %s %s (cold builds take minutes; cached in %s)\n", i+1, len(components), c.module, c.version, dir)
			start := time.Now()
			if err := c.build(ctx, goBin, dir, w); err != nil {
				return Toolchain{}, fmt.Errorf("building %s %s (log %s): %w", c.module, c.version, filepath.Join(dir, "build.log"), err)
			}
			fmt.Fprintf(w, "[%d/%d] %s built in %s\n", i+1, len(components), c.module, time.Since(start).Round(time.Second))
			pruneStale(filepath.Dir(dir), c.module, dir)
		}
		for _, t := range c.tools {
			tc.bins[t.name] = filepath.Join(dir, "bin", t.name)
		}
		for _, a := range c.assets {
			if a.into == "crds" {
				tc.KarpenterCRDs = filepath.Join(dir, a.into)
			}
		}
	}
	return tc, nil
}

// cacheDir is keyed by the build module's content, the tools and the Go
// version, so an edited go.sum or a new Go release gets a fresh build.
func (c component) cacheDir(root string) (string, error) {
	h := sha256.New()
	for _, ext := range []string{".mod", ".sum"} {
		b, err := toolchainFiles.ReadFile("toolchain/" + c.module + ext)
		if err != nil {
			return "", fmt.Errorf("toolchain %s: %w", c.module, err)
		}
		h.Write(b)
	}
	fmt.Fprintf(h, "%s %s/%s %v", runtime.Version(), runtime.GOOS, runtime.GOARCH, c.tools)
	return filepath.Join(root, "components", c.module+"-"+c.version+"-"+hex.EncodeToString(h.Sum(nil))[:12]), nil
}

func (c component) build(ctx context.Context, goBin, dir string, w io.Writer) error {
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	for _, ext := range []string{".mod", ".sum"} {
		b, _ := toolchainFiles.ReadFile("toolchain/" + c.module + ext)
		if err := os.WriteFile(filepath.Join(src, "go"+ext), b, 0o644); err != nil {
			return err
		}
	}
	logFile, err := os.Create(filepath.Join(dir, "build.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	// One go command per tool: -o DIR/ would name binaries after their
	// packages ("kwok" twice, "server" for etcd); the build cache makes
	// the shared packages free the second time.
	for _, t := range c.tools {
		cmd := exec.CommandContext(ctx, goBin, "build", "-v", "-trimpath", "-o", filepath.Join(dir, "bin", t.name), t.pkg)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
		if err := runCounting(cmd, logFile, w, t.name); err != nil {
			return err
		}
	}
	for _, a := range c.assets {
		if err := copyAsset(ctx, goBin, src, a, filepath.Join(dir, a.into)); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "done"), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644)
}

// pruneStale removes older builds of a module (other versions or keys):
// each is hundreds of megabytes.
func pruneStale(root, module, keep string) {
	old, _ := filepath.Glob(filepath.Join(root, module+"-*"))
	for _, d := range old {
		if d != keep {
			os.RemoveAll(d)
		}
	}
}

// runCounting runs a `go build -v`, logging everything and printing how
// many packages are done every 15 s so a cold build visibly progresses.
func runCounting(cmd *exec.Cmd, log io.Writer, w io.Writer, name string) error {
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = log
	if err := cmd.Start(); err != nil {
		return err
	}
	var built atomic.Int64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(w, "      %s: %d packages compiled\n", name, built.Load())
			}
		}
	}()
	var last []string
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(log, line)
		built.Add(1)
		if last = append(last, line); len(last) > 20 {
			last = last[1:]
		}
	}
	err = cmd.Wait()
	close(done)
	if err != nil {
		return fmt.Errorf("go build: %w\n%s", err, strings.Join(last, "\n"))
	}
	return nil
}

// copyAsset copies one directory out of the module cache, located with
// `go mod download -json` so the files match the pinned version.
func copyAsset(ctx context.Context, goBin, src string, a asset, into string) error {
	cmd := exec.CommandContext(ctx, goBin, "mod", "download", "-json", a.module+"@"+a.version)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("locating %s@%s: %w", a.module, a.version, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return fmt.Errorf("locating %s@%s: %w", a.module, a.version, err)
	}
	if info.Error != "" || info.Dir == "" {
		return fmt.Errorf("locating %s@%s: %s", a.module, a.version, info.Error)
	}
	entries, err := os.ReadDir(filepath.Join(info.Dir, a.dir))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(into, 0o755); err != nil {
		return err
	}
	copied := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(info.Dir, a.dir, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(into, e.Name()), b, 0o644); err != nil {
			return err
		}
		copied++
	}
	if copied == 0 {
		return errors.New("no CRDs in " + a.module + "/" + a.dir)
	}
	return nil
}
