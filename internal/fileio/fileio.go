// Package fileio reads the files fleetbench is given with a size cap, so
// that a wrong path (/dev/zero, a disk image) is an error naming the file
// and the limit rather than a process that dies out of memory.
package fileio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrTooLarge is wrapped by every refusal of a file past its cap.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads path whole if it holds at most limit bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A regular file's size is known: refuse it unread, or read it into
	// a buffer of its size (io.ReadAll's doubling would take twice that).
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > limit {
			return nil, fmt.Errorf("%s: %w: %d bytes, more than %d", path, ErrTooLarge, st.Size(), limit)
		}
		buf := bytes.NewBuffer(make([]byte, 0, st.Size()+512))
		_, err := buf.ReadFrom(Limit(f, limit, path))
		return buf.Bytes(), err
	}
	data, err := io.ReadAll(Limit(f, limit, path))
	if err != nil {
		return nil, err
	}
	return data, nil
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

// NotAnInput refuses an output that would replace what the report reads:
// an input file, the --scenario file, or a run file inside an input
// directory.
func NotAnInput(out string, inputs []string) error {
	outInfo, err := os.Stat(out)
	if err != nil {
		return nil // a new file replaces nothing
	}
	absOut, _ := filepath.Abs(out)
	for _, in := range inputs {
		st, err := os.Stat(in)
		if in == "" || err != nil {
			continue
		}
		absIn, _ := filepath.Abs(in)
		rel, relErr := filepath.Rel(absIn, absOut)
		inside := st.IsDir() && relErr == nil && !strings.HasPrefix(rel, "..") && strings.HasSuffix(out, ".json")
		if os.SameFile(st, outInfo) || inside {
			return fmt.Errorf("-o %s would replace the input %s", out, in)
		}
	}
	return nil
}
