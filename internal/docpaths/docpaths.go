// Package docpaths checks that the documentation names only what exists:
// every repository path a Markdown file links to or quotes in backticks,
// and no Go comment points at a design document the repository does not
// hold. make lint runs it, so a moved file or package cannot leave a
// document pointing at nothing.
package docpaths

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Problem is one dangling reference.
type Problem struct {
	File string
	Line int
	Ref  string
	Why  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Ref, p.Why) }

var (
	link  = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	quote = regexp.MustCompile("`([^`\\s]+)`")
	// repoPath is a quoted token that names a file or folder of the
	// repository: it starts with one of its top-level folders.
	repoPath = regexp.MustCompile(`^(\.ci|\.github|baselines|clusters|cmd|docs|emit|internal|loadgen|policy|reports|results|scenarios|scripts|sim|sizing|stack|sweepjob)/[A-Za-z0-9_./*-]*$`)
	// design is a pointer into a design document that only its authors had.
	design = regexp.MustCompile(`DESIGN(\.md)? ?§`)
)

// Check reads every Markdown file under root (outside hidden folders and
// out/) and every Go file, and lists the references that name nothing.
func Check(root string) ([]Problem, error) {
	var problems []Problem
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") && name != ".github" || name == "out" || name == "bin" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(name) {
		case ".md":
			ps, err := checkMarkdown(root, path)
			problems = append(problems, ps...)
			return err
		case ".go":
			ps, err := checkGo(root, path)
			problems = append(problems, ps...)
			return err
		}
		return nil
	})
	return problems, err
}

func checkMarkdown(root, path string) ([]Problem, error) {
	var problems []Problem
	rel, _ := filepath.Rel(root, path)
	err := eachLine(path, func(n int, line string) {
		for _, m := range link.FindAllStringSubmatch(line, -1) {
			ref, _, _ := strings.Cut(m[1], "#")
			if ref == "" || strings.Contains(ref, "://") || strings.HasPrefix(ref, "mailto:") {
				continue
			}
			if !exists(filepath.Join(filepath.Dir(path), ref)) {
				problems = append(problems, Problem{rel, n, m[1], "the link names no file"})
			}
		}
		for _, m := range quote.FindAllStringSubmatch(line, -1) {
			ref := strings.TrimRight(m[1], ".,:;")
			if !repoPath.MatchString(ref) {
				continue
			}
			if !exists(filepath.Join(root, ref)) {
				problems = append(problems, Problem{rel, n, ref, "no such file or folder in the repository"})
			}
		}
	})
	return problems, err
}

func checkGo(root, path string) ([]Problem, error) {
	var problems []Problem
	rel, _ := filepath.Rel(root, path)
	err := eachLine(path, func(n int, line string) {
		if _, comment, ok := strings.Cut(line, "//"); ok && design.MatchString(comment) {
			problems = append(problems, Problem{rel, n, design.FindString(comment), "points at a design document the repository does not hold"})
		}
	})
	return problems, err
}

// exists reports whether path names a file or folder; a path with * must
// match at least one.
func exists(path string) bool {
	if strings.Contains(path, "*") {
		m, err := filepath.Glob(path)
		return err == nil && len(m) > 0
	}
	_, err := os.Stat(path)
	return err == nil
}

func eachLine(path string, f func(n int, line string)) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	s := bufio.NewScanner(file)
	s.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for n := 1; s.Scan(); n++ {
		f(n, s.Text())
	}
	if err := s.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
