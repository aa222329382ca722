package fileio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// txn is a change in progress: each file's new contents in a temporary
// file beside it and each replaced or removed file's old contents under
// a backup name, so that a failure part-way can put everything back.
type txn struct {
	steps []step
	done  int // steps committed
}

type step struct {
	path   string
	temp   string // new contents; "" for a removal
	backup string // old contents; "" when there were none
	// moved: temp is the caller's file (a journal written as a run went),
	// put back under its own name on undo and never removed.
	moved bool
}

// stage writes data beside target and keeps target's old contents.
func (t *txn) stage(target string, data []byte) error {
	s := step{path: target}
	var err error
	s.temp, err = writeTemp(target, data)
	if s.temp != "" {
		t.steps = append(t.steps, s)
	}
	if err != nil {
		return err
	}
	return t.keepOld(&t.steps[len(t.steps)-1])
}

// stageMove takes the caller's file from as target's new contents.
func (t *txn) stageMove(target, from string) error {
	st, err := os.Lstat(from)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is %s, not a file to move", from, kind(st.Mode()))
	}
	t.steps = append(t.steps, step{path: target, temp: from, moved: true})
	return t.keepOld(&t.steps[len(t.steps)-1])
}

// stageRemoval keeps a stale file's contents before it is removed.
func (t *txn) stageRemoval(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is %s, not a file this command wrote", path, kind(st.Mode()))
	}
	t.steps = append(t.steps, step{path: path})
	return t.keepOld(&t.steps[len(t.steps)-1])
}

// keepOld links the file's current contents to a backup name (a copy
// where the file system has no hard links).
func (t *txn) keepOld(s *step) error {
	if _, err := os.Stat(s.path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	backup, err := os.CreateTemp(filepath.Dir(s.path), "."+filepath.Base(s.path)+".old-*")
	if err != nil {
		return err
	}
	backup.Close()
	s.backup = backup.Name()
	os.Remove(s.backup)
	if os.Link(s.path, s.backup) == nil {
		return nil
	}
	return copyFile(s.path, s.backup)
}

// commit puts every step in place, in order.
func (t *txn) commit(o ops) error {
	for i, s := range t.steps {
		var err error
		if s.temp != "" {
			err = o.rename(s.temp, s.path)
		} else {
			err = os.Remove(s.path)
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", s.path, err)
		}
		t.done = i + 1
	}
	return nil
}

// undo puts back what the committed steps replaced or removed.
func (t *txn) undo(o ops) error {
	var errs []error
	for i := t.done - 1; i >= 0; i-- {
		s := t.steps[i]
		if s.moved {
			if err := o.rename(s.path, s.temp); err != nil {
				errs = append(errs, fmt.Errorf("putting back %s: %w", s.temp, err))
				continue // the caller's data stays under the target's name
			}
		}
		var err error
		if s.backup != "" {
			err = o.rename(s.backup, s.path)
		} else {
			err = os.Remove(s.path)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restoring %s: %w", s.path, err))
		}
	}
	t.done = 0
	return errors.Join(errs...)
}

// cleanup removes temporary and backup files (no-ops once renamed).
func (t *txn) cleanup() {
	for _, s := range t.steps {
		if s.temp != "" && !s.moved {
			os.Remove(s.temp)
		}
		if s.backup != "" {
			os.Remove(s.backup)
		}
	}
}

// writeTemp writes data to a new temporary file beside path and returns
// its name (also on failure, once it exists, for the caller to remove).
func writeTemp(path string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	// CreateTemp makes the file 0600; results are for sharing.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return tmp.Name(), err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return tmp.Name(), err
	}
	return tmp.Name(), tmp.Close()
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return errors.Join(err, dst.Close())
}
