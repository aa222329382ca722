package docpaths

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// Package is what `go list -json` says of one package: its path and imports.
type Package struct {
	ImportPath string
	Imports    []string
}

// ReadPackages decodes the stream `go list -json ./...` writes.
func ReadPackages(r io.Reader) ([]Package, error) {
	var out []Package
	for d := json.NewDecoder(r); ; {
		var p Package
		if err := d.Decode(&p); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		out = append(out, p)
	}
}

// CheckImportTable compares the package table of an architecture
// document (rows "| `pkg`, `pkg` | concern | `import`, … |") with what
// the packages import, within module. A row's imports are its packages'
// imports outside the row; internal/ packages are left out except in
// internal/ rows; "stack/…" stands for any stack package; rows for cmd/*
// are not checked.
func CheckImportTable(doc string, module string, pkgs []Package) ([]Problem, error) {
	imports := map[string][]string{}
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		for _, imp := range p.Imports {
			if r, ok := strings.CutPrefix(imp, module+"/"); ok {
				imports[rel] = append(imports[rel], r)
			}
		}
		if _, ok := imports[rel]; !ok {
			imports[rel] = nil
		}
	}
	f, err := os.Open(doc)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var problems []Problem
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		cells := strings.Split(s.Text(), "|")
		if len(cells) != 5 || !strings.Contains(cells[1], "`") || strings.Contains(cells[1], "cmd/") {
			continue
		}
		row := quoted(cells[1])
		internal := strings.HasPrefix(row[0], "internal/")
		want := map[string]bool{}
		for _, p := range row {
			if _, ok := imports[p]; !ok {
				problems = append(problems, Problem{doc, n, p, "no such package"})
			}
			for _, imp := range imports[p] {
				if !slices.Contains(row, imp) && (internal || !strings.HasPrefix(imp, "internal/")) {
					want[imp] = true
				}
			}
		}
		listed := quoted(cells[3])
		for imp := range want {
			if !slices.ContainsFunc(listed, func(l string) bool { return l == imp || l == "stack/…" && strings.HasPrefix(imp, "stack/") }) {
				problems = append(problems, Problem{doc, n, imp, fmt.Sprintf("imported by %s but not in the row", strings.Join(row, ", "))})
			}
		}
		anyStack := slices.ContainsFunc(slices.Collect(maps.Keys(want)), func(k string) bool { return strings.HasPrefix(k, "stack/") })
		for _, l := range listed {
			if !want[l] && !(l == "stack/…" && anyStack) {
				problems = append(problems, Problem{doc, n, l, fmt.Sprintf("in the row but not imported by %s", strings.Join(row, ", "))})
			}
		}
	}
	return problems, s.Err()
}

func quoted(cell string) []string {
	var out []string
	for _, m := range quote.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}
