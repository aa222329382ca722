package toolchain

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// build writes the build module into dir/src as go.mod/go.sum and builds
// each tool into dir/bin; the done file marks a complete build.
func (c Component) build(ctx context.Context, goBin, dir string, w io.Writer) error {
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	for _, ext := range []string{".mod", ".sum"} {
		b, _ := moduleFiles.ReadFile("modules/" + c.Module + ext)
		if err := os.WriteFile(filepath.Join(src, "go"+ext), b, 0o644); err != nil {
			return err
		}
	}
	if err := c.writeSources(src); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(dir, "build.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	// One go command per tool: -o DIR/ would name binaries after their
	// packages ("kwok" twice, "server" for etcd); the build cache makes
	// the shared packages free the second time.
	for _, t := range c.Tools {
		args := []string{"build", "-v", "-trimpath", "-o", filepath.Join(dir, "bin", t.Name)}
		if c.LDFlags != "" {
			args = append(args, "-ldflags", c.LDFlags)
		}
		cmd := exec.CommandContext(ctx, goBin, append(args, t.Pkg)...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
		if c.Static {
			cmd.Env = append(cmd.Env, "CGO_ENABLED=0")
		}
		if err := runCounting(cmd, logFile, w, t.Name); err != nil {
			return err
		}
	}
	for _, a := range c.Assets {
		if err := copyAsset(ctx, goBin, src, a, filepath.Join(dir, a.Into)); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "done"), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644)
}

// writeSources copies the component's own packages into the build module.
func (c Component) writeSources(src string) error {
	if c.Sources == nil {
		return nil
	}
	return fs.WalkDir(c.Sources, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(c.Sources, path)
		if err != nil {
			return err
		}
		into := filepath.Join(src, c.Dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(into), 0o755); err != nil {
			return err
		}
		return os.WriteFile(into, b, 0o644)
	})
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
func copyAsset(ctx context.Context, goBin, src string, a Asset, into string) error {
	cmd := exec.CommandContext(ctx, goBin, "mod", "download", "-json", a.Module+"@"+a.Version)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("locating %s@%s: %w", a.Module, a.Version, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return fmt.Errorf("locating %s@%s: %w", a.Module, a.Version, err)
	}
	if info.Error != "" || info.Dir == "" {
		return fmt.Errorf("locating %s@%s: %s", a.Module, a.Version, info.Error)
	}
	if a.Tree {
		return copyTree(filepath.Join(info.Dir, a.Dir), into)
	}
	entries, err := os.ReadDir(filepath.Join(info.Dir, a.Dir))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(into, 0o755); err != nil {
		return err
	}
	copied := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") || (len(a.Files) > 0 && !slices.Contains(a.Files, e.Name())) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(info.Dir, a.Dir, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(into, e.Name()), b, 0o644); err != nil {
			return err
		}
		copied++
	}
	if want := len(a.Files); copied == 0 || (want > 0 && copied != want) {
		return fmt.Errorf("%s/%s: %d of the YAML files wanted (%v)", a.Module, a.Dir, copied, a.Files)
	}
	return nil
}

// copyTree copies the regular files under from into into, writable (the
// module cache's are read-only).
func copyTree(from, into string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		to := filepath.Join(into, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
}
