package emit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Manifests are yaml.v3 node trees, not text: the encoder quotes every
// value as its type needs (a name cannot end a mapping or start a
// document), and a node carries the comment that says where its number
// came from.

// str is a string value: the explicit tag makes the encoder quote what
// would otherwise read as another type ("50", "true", "---").
func str(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

// quoted is a string written in double quotes (cron schedules, which read
// better quoted).
func quoted(v string) *yaml.Node {
	n := str(v)
	n.Style = yaml.DoubleQuotedStyle
	return n
}

func num(v int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
}

// value turns a builder argument (string, int or node) into a node.
func value(v any) *yaml.Node {
	switch v := v.(type) {
	case *yaml.Node:
		return v
	case string:
		return str(v)
	case int:
		return num(v)
	}
	panic(fmt.Sprintf("emit: no YAML node for %T", v))
}

// obj is a mapping of key, value pairs in order; a key is a string or a
// node (one with a head comment), a value a string, int or node.
func obj(kv ...any) *yaml.Node {
	if len(kv)%2 != 0 {
		panic("emit: obj needs key, value pairs")
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i < len(kv); i += 2 {
		m.Content = append(m.Content, value(kv[i]), value(kv[i+1]))
	}
	return m
}

// list is a block sequence.
func list(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

// flow is a one-line sequence of strings: [get, patch].
func flow(items ...string) *yaml.Node {
	s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, v := range items {
		s.Content = append(s.Content, str(v))
	}
	return s
}

// meta is an object's metadata.
func meta(name, namespace string) *yaml.Node {
	return obj("name", name, "namespace", namespace)
}

// note sets n's line comment (# ... after the value).
func note(n *yaml.Node, format string, args ...any) *yaml.Node {
	n.LineComment = clean(fmt.Sprintf(format, args...))
	return n
}

// head is a key with comment lines above it.
func head(key string, lines ...string) *yaml.Node {
	k := str(key)
	k.HeadComment = comment(lines)
	return k
}

// lead puts comment lines above a document's first key, where they
// read as the document's heading.
func lead(doc *yaml.Node, lines ...string) *yaml.Node {
	doc.Content[0].HeadComment = comment(lines)
	return doc
}

// comment joins lines, each cleaned, so a line holds what it was given
// and the encoder prefixes every one with '#'.
func comment(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = clean(l)
	}
	return strings.Join(out, "\n")
}

// clean escapes what a comment line cannot hold as is: line breaks
// (\n, \r, U+0085, U+2028...), which would end the comment and let the
// rest be read as YAML, and other control or invisible characters.
// Invalid UTF-8 becomes U+FFFD.
func clean(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 && strings.ToValidUTF8(s, "") == s {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsPrint(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

// encode writes the documents, separated by ---, indented as kubectl
// users expect.
func encode(docs ...*yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	e := yaml.NewEncoder(&b)
	e.SetIndent(2)
	for _, d := range docs {
		if err := e.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{d}}); err != nil {
			return nil, fmt.Errorf("encoding manifests: %w", err)
		}
	}
	if err := e.Close(); err != nil {
		return nil, fmt.Errorf("encoding manifests: %w", err)
	}
	return b.Bytes(), nil
}
