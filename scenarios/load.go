package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/fleetbench/fleetbench/internal/fileio"
	"go.yaml.in/yaml/v3"
)

// MaxFileSize bounds a scenario file; a scenario is a few kilobytes.
const MaxFileSize = 4 << 20

// CheckWritable refuses a scenario document of size bytes that Load
// would refuse to read, before a command writes it as name (plan.yaml):
// a command never writes a scenario it cannot read back.
func CheckWritable(name string, size int) error {
	if size > MaxFileSize {
		return fmt.Errorf("%s would be %d bytes, more than a scenario file may be (%d MiB): "+
			"fewer schedule steps, timeline entries or segments would shorten it", name, size, MaxFileSize>>20)
	}
	return nil
}

// Load reads, strictly decodes, defaults and validates a scenario file.
// On failure it returns *Errors listing every problem with its field path.
func Load(path string) (*Scenario, error) {
	data, err := fileio.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	s, err := Parse(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return s, nil
}

// Parse decodes a scenario document the way kind loads its config: sniff
// apiVersion and kind, decode strictly (an unknown field is an error),
// apply defaults, then validate. dir resolves relative trace files.
func Parse(data []byte, dir string) (*Scenario, error) {
	var root yaml.Node
	docs := yaml.NewDecoder(bytes.NewReader(data))
	if err := docs.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	// A second document would be ignored: refuse it rather than run a
	// scenario the file does not say.
	if err := docs.Decode(&yaml.Node{}); !errors.Is(err, io.EOF) {
		return nil, Errors{{Path: "", Msg: "holds more than one YAML document (---); a scenario file holds one"}}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, Errors{{Path: "", Msg: "must be a YAML mapping with apiVersion and kind"}}
	}
	// Before anything decodes it: aliases can repeat a value past what
	// the file's size suggests.
	if err := checkExpansion(&root); err != nil {
		return nil, err
	}
	if errs := sniff(root.Content[0]); len(errs) > 0 {
		return nil, errs
	}
	s := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	errs := strictNumbers(root.Content[0], reflect.TypeFor[Scenario](), "")
	if err := dec.Decode(s); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("not valid YAML: %w", err)
		}
		// A value strictNumbers refused is not reported again by the
		// decoder (which rejects some of them too, in its own words).
		for _, fe := range locate(&root, te.Errors) {
			if !slices.ContainsFunc(errs, func(s FieldError) bool { return s.Path == fe.Path }) {
				errs = append(errs, fe)
			}
		}
	}
	s.dir = dir
	errs = append(errs, s.loadTraces()...)
	// Validate even after decode errors, to report every problem at once:
	// a field that failed to decode keeps its (valid) default.
	var verrs Errors
	if errors.As(s.Validate(), &verrs) {
		errs = append(errs, verrs...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// sniff checks apiVersion and kind before the body is interpreted.
func sniff(m *yaml.Node) Errors {
	var errs Errors
	check := func(key, want string) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				if got := m.Content[i+1].Value; got != want {
					errs = append(errs, FieldError{Path: key, Msg: fmt.Sprintf("is %q; this version of fleetbench reads %q", got, want)})
				}
				return
			}
		}
		errs = append(errs, FieldError{Path: key, Msg: fmt.Sprintf("required (%q)", want)})
	}
	check("apiVersion", APIVersion)
	check("kind", Kind)
	return errs
}
