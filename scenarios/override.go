package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/fleetbench/fleetbench/internal/fileio"
	"go.yaml.in/yaml/v3"
)

// Override sets one field by path before the scenario is decoded, e.g.
// {Path: "fleet.policy.minAvailable.count", Value: "20"}. Sweeps and
// `--set` use it, so an overridden scenario is validated like a file.
type Override struct {
	Path, Value string
}

func (o Override) String() string { return o.Path + "=" + o.Value }

// LoadWith loads a file and applies overrides in order.
func LoadWith(path string, overrides []Override) (*Scenario, error) {
	data, err := fileio.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	s, err := ParseWith(data, filepath.Dir(path), overrides)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return s, nil
}

// ParseWith applies overrides to a document, then parses it.
func ParseWith(data []byte, dir string, overrides []Override) (*Scenario, error) {
	out, err := Rewrite(data, overrides)
	if err != nil {
		return nil, err
	}
	return Parse(out, dir)
}

// Rewrite returns the document with the overrides applied (unvalidated).
func Rewrite(data []byte, overrides []Override) ([]byte, error) {
	if len(overrides) == 0 {
		return data, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, Errors{{Msg: "must be a YAML mapping with apiVersion and kind"}}
	}
	var errs Errors
	for _, o := range overrides {
		if err := set(root.Content[0], o.Path, o.Value); err != nil {
			errs.add(o.Path, "cannot set: %v", err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	out, err := yaml.Marshal(&root)
	if err != nil {
		return nil, fmt.Errorf("re-encoding overridden scenario: %w", err)
	}
	return out, nil
}

// ParseOverride reads "PATH=VALUE". An empty VALUE is refused: in YAML
// it is null, which resets the field to its zero rather than setting it
// (a count becomes 0, a name ""), and no field needs it said that way.
func ParseOverride(s string) (Override, error) {
	path, val, ok := strings.Cut(s, "=")
	if !ok || path == "" {
		return Override{}, fmt.Errorf("--set %q: want PATH=VALUE", s)
	}
	if strings.TrimSpace(val) == "" {
		return Override{}, fmt.Errorf("--set %q: empty value for %s (it would reset the field, not set it); give the value", s, path)
	}
	return Override{Path: path, Value: val}, nil
}

var (
	pathPart  = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*)((?:\[\d+\])*)$`)
	indexPart = regexp.MustCompile(`\d+`)
)

// set walks a dotted path ("arrivals.segments[0].constant.rate"), creating
// missing mappings, and sets the leaf to a plain scalar, or to a YAML flow
// mapping or list when the value is one ("{buffer: {size: 10}}").
func set(n *yaml.Node, path, value string) error {
	if path == "" {
		return fmt.Errorf("empty path")
	}
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("empty value (YAML reads it as null, which resets the field rather than sets it)")
	}
	for _, part := range strings.Split(path, ".") {
		m := pathPart.FindStringSubmatch(part)
		if m == nil {
			return fmt.Errorf("%q is not a field name (with optional [index])", part)
		}
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%q is inside a value that is not a mapping", part)
		}
		n = child(n, m[1])
		for _, idx := range indexPart.FindAllString(m[2], -1) {
			i, _ := strconv.Atoi(idx)
			if n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return fmt.Errorf("%s has no element [%d]", m[1], i)
			}
			n = n.Content[i]
		}
	}
	if strings.HasPrefix(value, "{") || strings.HasPrefix(value, "[") {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(value), &doc); err != nil || len(doc.Content) != 1 {
			return fmt.Errorf("%q is not a YAML flow mapping or list: %v", value, err)
		}
		*n = *doc.Content[0]
		return nil
	}
	*n = yaml.Node{Kind: yaml.ScalarNode, Value: value}
	return nil
}

// child returns the value node for key, adding an empty mapping if absent.
func child(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Value: key}
	v := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, k, v)
	return v
}

// Hash identifies the scenario's content (after overrides and defaults),
// including the rows of its trace files.
// YAML is the scenario as it runs: defaults filled in, overrides
// applied (what a report echoes).
func (s *Scenario) YAML() string {
	var n yaml.Node
	err := n.Encode(s)
	var out []byte
	if err == nil {
		dropNulls(&n)
		out, err = yaml.Marshal(&n)
	}
	if err != nil {
		return fmt.Sprintf("# the scenario could not be written: %v\n", err)
	}
	return string(out)
}

// dropNulls removes unset (null) fields: the alternatives not chosen.
func dropNulls(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; v.Kind != yaml.ScalarNode || v.Tag != "!!null" {
				kept = append(kept, n.Content[i], v)
			}
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		dropNulls(c)
	}
}

func (s *Scenario) Hash() string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return ""
	}
	h := sha256.New()
	h.Write(out)
	for i := range s.Arrivals.Segments {
		for _, p := range s.traces[i] {
			fmt.Fprintf(h, "%d:%g,%g\n", i, p.T, p.Rate)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
