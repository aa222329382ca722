package scenarios

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Bounds on a document once its aliases are expanded, which is what the
// decoder builds, the model holds and reports echo: an alias (*name)
// repeats its anchor's value, so a 100 KB file of aliases of aliases can
// decode to gigabytes. The decoder's own guard (yaml.v3's alias ratio)
// lets 99% of up to 400,000 values come from aliases.
const (
	// MaxDecodedValues bounds the values (mappings, lists, keys and
	// scalars) after expansion: twice what a scenario at every list's
	// cap holds (10,000 timeline entries, schedule steps and segments
	// are about 220,000 values).
	MaxDecodedValues = 1 << 19
	// MaxDecodedBytes bounds the text of keys and scalars after
	// expansion: no more than a file may hold, so aliases buy nothing.
	MaxDecodedBytes = MaxFileSize
)

// expansion is the size of a value with its aliases expanded.
type expansion struct{ values, bytes int }

// checkExpansion refuses a document whose expansion passes the bounds,
// naming the top-level field where the running total passes, or one
// whose alias repeats a value that holds it (which never ends).
func checkExpansion(doc *yaml.Node) error {
	w := expander{memo: map[*yaml.Node]expansion{}, open: map[*yaml.Node]bool{}}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		_, err := w.measure(root, "")
		return err
	}
	total := expansion{values: 1}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key := root.Content[i].Value
		k, err := w.measure(root.Content[i], key)
		if err != nil {
			return err
		}
		v, err := w.measure(root.Content[i+1], key)
		if err != nil {
			return err
		}
		total.values += k.values + v.values
		total.bytes += k.bytes + v.bytes
		if err := total.check(key); err != nil {
			return err
		}
	}
	return nil
}

// check refuses a size past the bounds, at path.
func (e expansion) check(path string) error {
	switch {
	case e.values > MaxDecodedValues:
		return Errors{{Path: path, Msg: fmt.Sprintf("holds more than %d YAML values once its aliases (*name) are expanded, "+
			"the most a scenario may hold", MaxDecodedValues)}}
	case e.bytes > MaxDecodedBytes:
		return Errors{{Path: path, Msg: fmt.Sprintf("holds more than %d bytes of text once its aliases (*name) are expanded, "+
			"the most a scenario file may hold (%d MiB)", MaxDecodedBytes, MaxDecodedBytes>>20)}}
	}
	return nil
}

// expander measures values, each once: a chain of aliases costs its
// length to measure, not its expansion.
type expander struct {
	memo map[*yaml.Node]expansion
	open map[*yaml.Node]bool // being measured: an alias to one is a cycle
}

// measure is n's expanded size; path names the top-level field for
// errors. Every subtotal is checked, so no sum overflows.
func (w expander) measure(n *yaml.Node, path string) (expansion, error) {
	if e, ok := w.memo[n]; ok {
		return e, nil
	}
	if w.open[n] {
		return expansion{}, Errors{{Path: path, Msg: fmt.Sprintf("the alias *%s repeats a value that holds the alias itself", n.Anchor)}}
	}
	w.open[n] = true
	defer delete(w.open, n)
	var e expansion
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return expansion{}, Errors{{Path: path, Msg: "holds an alias to no anchor"}}
		}
		a, err := w.measure(n.Alias, path)
		if err != nil {
			return expansion{}, err
		}
		e = a
	default:
		e = expansion{values: 1, bytes: len(n.Value)}
		for _, c := range n.Content {
			ce, err := w.measure(c, path)
			if err != nil {
				return expansion{}, err
			}
			e.values += ce.values
			e.bytes += ce.bytes
			if err := e.check(path); err != nil {
				return expansion{}, err
			}
		}
	}
	if err := e.check(path); err != nil {
		return expansion{}, err
	}
	w.memo[n] = e
	return e, nil
}
