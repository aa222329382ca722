package toolchain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Ensure builds what of cs is missing from the cache under cacheDir,
// reporting progress to w, and returns the paths. A component is rebuilt
// only when its version, build module, tools, flags or the Go toolchain
// change.
func Ensure(ctx context.Context, cacheDir string, w io.Writer, cs []Component) (Toolchain, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return Toolchain{}, fmt.Errorf("building the cluster components needs the go command: %w", err)
	}
	tc := Toolchain{bins: map[string]string{}, assets: map[string]string{}}
	for i, c := range cs {
		dir, err := c.cacheDir(cacheDir)
		if err != nil {
			return Toolchain{}, err
		}
		if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
			if err := ensureOne(ctx, goBin, c, dir, w, fmt.Sprintf("[%d/%d]", i+1, len(cs))); err != nil {
				return Toolchain{}, err
			}
		}
		for _, t := range c.Tools {
			tc.bins[t.Name] = filepath.Join(dir, "bin", t.Name)
		}
		for _, a := range c.Assets {
			tc.assets[a.Into] = filepath.Join(dir, a.Into)
			if a.Into == "crds" {
				tc.KarpenterCRDs = filepath.Join(dir, a.Into)
			}
		}
	}
	return tc, nil
}

// ensureOne builds c into dir under a lock: `make components` and a node
// image build may want the same component at once.
func ensureOne(ctx context.Context, goBin string, c Component, dir string, w io.Writer, step string) error {
	root := filepath.Dir(dir)
	unlock, err := lock(ctx, filepath.Join(root, c.name()+".lock"), w, c.name())
	if err != nil {
		return fmt.Errorf("building %s %s: %w", c.name(), c.Version, err)
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return nil // built while we waited
	}
	fmt.Fprintf(w, "%s building %s %s (cold builds take minutes; cached in %s)\n", step, c.name(), c.Version, dir)
	start := time.Now()
	if err := c.build(ctx, goBin, dir, w); err != nil {
		return fmt.Errorf("building %s %s (log %s): %w", c.name(), c.Version, filepath.Join(dir, "build.log"), err)
	}
	fmt.Fprintf(w, "%s %s built in %s\n", step, c.name(), time.Since(start).Round(time.Second))
	pruneStale(root, c.name(), dir)
	return nil
}

// cacheDir is keyed by the build module's content, the tools, the link
// flags, cgo, what assets are copied and the Go version, so an edited
// go.sum or a new Go release gets a fresh build. Without LDFlags, Static,
// Files or Tree the key is what it was before they existed, keeping older
// caches valid.
func (c Component) cacheDir(root string) (string, error) {
	h := sha256.New()
	for _, ext := range []string{".mod", ".sum"} {
		b, err := moduleFiles.ReadFile("modules/" + c.Module + ext)
		if err != nil {
			return "", fmt.Errorf("build module %s: %w", c.Module, err)
		}
		h.Write(b)
	}
	fmt.Fprintf(h, "%s %s/%s %v", runtime.Version(), runtime.GOOS, runtime.GOARCH, c.Tools)
	if c.Sources != nil {
		if err := hashSources(h, c.Sources); err != nil {
			return "", err
		}
	}
	if c.LDFlags != "" {
		fmt.Fprintf(h, " -ldflags=%q", c.LDFlags)
	}
	if c.Static {
		fmt.Fprint(h, " static")
	}
	for _, a := range c.Assets {
		if a.Tree || len(a.Files) > 0 {
			fmt.Fprintf(h, " asset=%v", a)
		}
	}
	return filepath.Join(root, "components", c.name()+"-"+c.Version+"-"+hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// pruneStale removes older builds of a component (other versions or keys):
// each is hundreds of megabytes. Builds are NAME-vVERSION-HASH, so a name
// that is a prefix of another ("kubernetes", "kubernetes-node") does not
// match the other's builds.
func pruneStale(root, name, keep string) {
	old, _ := filepath.Glob(filepath.Join(root, name+"-v*"))
	for _, d := range old {
		rest := strings.TrimPrefix(filepath.Base(d), name+"-v")
		if d != keep && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			os.RemoveAll(d)
		}
	}
}

// lock takes an exclusive flock on path, polling so ctx can cancel the wait.
func lock(ctx context.Context, path string, w io.Writer, what string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for waited := false; ; waited = true {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if !waited {
			fmt.Fprintf(w, "waiting for another process building %s\n", what)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// hashSources adds each source file's path and content to the key.
func hashSources(h io.Writer, src fs.FS) error {
	return fs.WalkDir(src, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, path)
		fmt.Fprintf(h, "\n%s %d\n", path, len(b))
		h.Write(b)
		return err
	})
}
