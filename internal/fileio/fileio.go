// Package fileio is how fleetbench's commands touch files: inputs are
// read with a size cap, so that a wrong path (a disk image, a device) is
// an error naming the file and the limit rather than a process that dies
// out of memory or waits forever; outputs are checked before the work and
// written as one change that a failure undoes.
package fileio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// ErrTooLarge is wrapped by every refusal of a file past its cap.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads path whole if it is a regular file of at most limit
// bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// The size is known: refuse the file unread, or read it into a buffer
	// of its size (io.ReadAll's doubling would take twice that).
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %w: %d bytes, more than %d", path, ErrTooLarge, st.Size(), limit)
	}
	buf := bytes.NewBuffer(make([]byte, 0, st.Size()+512))
	_, err = buf.ReadFrom(Limit(f, limit, path))
	return buf.Bytes(), err
}

// Open opens a regular file for reading and refuses anything else. A
// named pipe would block the open until a writer came (and a signal could
// not stop it); a device or socket has no end a command can wait for.
// The open itself never blocks: it is non-blocking, and the file's type
// is checked on the opened file, not on a name that could change.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory", path)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is %s: give a regular file", path, kind(st.Mode()))
	}
	return f, nil
}

// Limit reads r (named name in errors) and fails with ErrTooLarge once
// it yields more than limit bytes.
func Limit(r io.Reader, limit int64, name string) io.Reader {
	return &limited{r: io.LimitReader(r, limit+1), limit: limit, name: name}
}

type limited struct {
	r           io.Reader
	read, limit int64
	name        string
}

func (l *limited) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.limit {
		return 0, fmt.Errorf("%s: %w: more than %d bytes", l.name, ErrTooLarge, l.limit)
	}
	return n, err
}
