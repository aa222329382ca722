package fileio

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Output is a file a command will write, with the flag that named it.
type Output struct {
	Flag, Path string
}

// In is the outputs a command writes into dir (its -o), one per name.
func In(flag, dir string, names ...string) []Output {
	out := make([]Output, len(names))
	for i, n := range names {
		out[i] = Output{Flag: flag, Path: filepath.Join(dir, n)}
	}
	return out
}

// CheckOutputs refuses, before the command does its work, an output that
// could not be written (it exists and is not a regular file, or its
// directory is a file) or that would replace one of the inputs: an input
// file itself, or a run file (*.json) inside an input directory, which the
// command reads. Paths are compared as files, after symlinks.
func CheckOutputs(outputs []Output, inputs []string) error {
	for _, o := range outputs {
		if o.Path == "" {
			continue
		}
		target, err := Target(o.Path)
		if err != nil {
			return fmt.Errorf("%s: %w", o.Flag, err)
		}
		if d := existingParent(filepath.Dir(target)); d != "" {
			if st, err := os.Stat(d); err == nil && !st.IsDir() {
				return fmt.Errorf("%s: %w", o.Flag, notADirectory(target))
			}
		}
		for _, in := range inputs {
			if in != "" && replaces(target, in) {
				return fmt.Errorf("%s %s would replace the input %s", o.Flag, o.Path, in)
			}
		}
	}
	return nil
}

// replaces says whether writing target would replace the input in.
func replaces(target, in string) bool {
	inInfo, err := os.Stat(in)
	if err != nil {
		return false
	}
	if outInfo, err := os.Stat(target); err == nil && os.SameFile(inInfo, outInfo) {
		return true
	}
	if !inInfo.IsDir() || !strings.HasSuffix(target, ".json") {
		return false
	}
	dir, err := filepath.EvalSymlinks(in)
	if err != nil {
		return false
	}
	absDir, err1 := filepath.Abs(dir)
	absOut, err2 := filepath.Abs(resolvedDir(target))
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(absDir, absOut)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// resolvedDir is path with the symlinks of its existing directory
// resolved (the file itself may not exist yet).
func resolvedDir(path string) string {
	dir, base := filepath.Split(path)
	if d := existingParent(filepath.Clean(dir)); d != "" {
		if r, err := filepath.EvalSymlinks(d); err == nil {
			rest, _ := filepath.Rel(d, filepath.Clean(dir))
			return filepath.Join(r, rest, base)
		}
	}
	return path
}

// existingParent is the nearest of dir and its parents that exists.
func existingParent(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
