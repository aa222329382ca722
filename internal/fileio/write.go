package fileio

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"syscall"
)

// Change is what one command writes: new contents for some files and
// files it wrote before that would now be stale (a failed plan's
// plan.yaml). Apply makes it as one change.
type Change struct {
	Write map[string][]byte
	// Move puts files the command wrote as it went (target → the file,
	// in target's directory so the rename is atomic) into place with the
	// rest; on failure each is left under its own name.
	Move   map[string]string
	Remove []string
}

// ops are the file-system calls a change makes, replaceable in tests to
// fail one of them part-way.
type ops struct {
	rename func(from, to string) error
}

// Apply writes every file to a temporary file beside it, then renames
// them into place and removes the stale ones. A failure at any step undoes
// the steps before it: the files hold their previous contents, no
// temporary or backup file is left, and directories Apply created are
// removed. A path that exists and is not a regular file (a device, a
// FIFO, a directory) is refused before anything is written; a symlink
// is followed, so the file it names is replaced and the link kept.
func (c Change) Apply() error {
	return c.apply(ops{rename: os.Rename})
}

func (c Change) apply(o ops) (err error) {
	var made []string // directories created, outermost first
	var t txn
	defer func() {
		if err != nil {
			err = errors.Join(err, t.undo(o))
		}
		t.cleanup()
		if err != nil {
			for _, d := range slices.Backward(made) {
				os.Remove(d) // only when empty: another writer may share it
			}
		}
	}()
	writes := map[string][]byte{}
	for _, path := range slices.Sorted(maps.Keys(c.Write)) {
		target, err := Target(path)
		if err != nil {
			return err
		}
		dirs, err := mkdirs(filepath.Dir(target))
		made = append(made, dirs...)
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		writes[target] = c.Write[path]
	}
	for _, path := range slices.Sorted(maps.Keys(c.Move)) {
		target, err := Target(path)
		if err != nil {
			return err
		}
		if err := t.stageMove(target, c.Move[path]); err != nil {
			return fmt.Errorf("moving %s into place: %w", c.Move[path], err)
		}
	}
	for _, target := range slices.Sorted(maps.Keys(writes)) {
		if err := t.stage(target, writes[target]); err != nil {
			return fmt.Errorf("writing %s: %w", target, err)
		}
	}
	for _, path := range c.Remove {
		if err := t.stageRemoval(path); err != nil {
			return fmt.Errorf("removing the stale %s: %w", path, err)
		}
	}
	return t.commit(o)
}

// Target is the file a write to path replaces: path itself, or the file
// its symlinks lead to. It refuses a path that exists and is not a
// regular file.
func Target(path string) (string, error) {
	target := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	} else if errors.Is(err, syscall.ENOTDIR) {
		return "", notADirectory(path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", path, err)
	} else if l, lerr := os.Lstat(path); lerr == nil && l.Mode()&fs.ModeSymlink != 0 {
		return "", fmt.Errorf("%s is a symlink to a missing file: refusing to write through it", path)
	}
	st, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return target, nil
	case err != nil:
		return "", fmt.Errorf("%s: %w", path, err)
	case !st.Mode().IsRegular():
		return "", fmt.Errorf("%s exists and is not a regular file (%s): refusing to replace it", path, kind(st.Mode()))
	}
	return target, nil
}

// notADirectory names the part of path that is a file where a directory
// should be.
func notADirectory(path string) error {
	for d := filepath.Dir(path); filepath.Dir(d) != d; d = filepath.Dir(d) {
		if st, err := os.Stat(d); err == nil && !st.IsDir() {
			return fmt.Errorf("%s: %s is not a directory (%s)", path, d, kind(st.Mode()))
		}
	}
	return fmt.Errorf("%s: %w", path, syscall.ENOTDIR)
}

// kind names a file mode for an error.
func kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// mkdirs creates dir and its missing parents and returns the ones it
// created, outermost first.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err == nil {
			if !st.IsDir() {
				return nil, fmt.Errorf("%s is not a directory", d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
			return nil, err
		}
		missing = append(missing, d)
	}
	slices.Reverse(missing)
	for i, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return missing[:i], err
		}
	}
	return missing, nil
}
