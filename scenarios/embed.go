package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fleetbench/fleetbench/internal/fileio"
)

//go:embed *.yaml
var shipped embed.FS

// Shipped lists the names of the scenarios built into the binary.
func Shipped() []string {
	entries, _ := fs.ReadDir(shipped, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// LoadShipped loads a built-in scenario by name ("evening-peak").
func LoadShipped(name string) (*Scenario, error) {
	data, err := shipped.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no shipped scenario %q (have %s)", name, strings.Join(Shipped(), ", "))
	}
	s, err := Parse(data, ".")
	if err != nil {
		return nil, fmt.Errorf("shipped scenario %s: %w", name, err)
	}
	return s, nil
}

// ShippedDocument returns a built-in scenario's YAML.
func ShippedDocument(name string) ([]byte, error) {
	data, err := shipped.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no shipped scenario %q (have %s)", name, strings.Join(Shipped(), ", "))
	}
	return data, nil
}

// Read returns the document and directory of a scenario given as a path
// or as the name of a shipped scenario.
func Read(arg string) ([]byte, string, error) {
	data, err := fileio.ReadFile(arg, MaxFileSize)
	if err == nil {
		return data, filepath.Dir(arg), nil
	}
	if errors.Is(err, os.ErrNotExist) && !strings.ContainsAny(arg, "/.") {
		if doc, serr := ShippedDocument(arg); serr == nil {
			return doc, ".", nil
		}
	}
	return nil, "", fmt.Errorf("scenario: %w", err)
}
