package scenarios

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FieldError is one problem with a scenario, at a field path such as
// "arrivals.segments[2].constant.rate".
type FieldError struct {
	Path string
	Msg  string
}

// Error escapes control characters: a path or a message can repeat the
// document's keys and values, and errors go to a terminal.
func (e FieldError) Error() string {
	if e.Path == "" {
		return printable(e.Msg)
	}
	return printable(e.Path) + ": " + printable(e.Msg)
}

// Errors is every problem found in a scenario, in document order.
type Errors []FieldError

func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, fe := range e {
		lines[i] = fe.Error()
	}
	return strings.Join(lines, "\n")
}

// add appends a problem at path.
func (e *Errors) add(path, format string, args ...any) {
	*e = append(*e, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// nodeRef is a node of the document with the field path that reaches it.
type nodeRef struct {
	path      string
	line, col int
	key       string // set for mapping keys
	value     string // set for scalars
}

// index lists every key and scalar of the document with its path, so
// the decoder's "line N: …" messages can be turned into field paths; a
// list or a flow mapping where a scalar was expected is listed too,
// after what it holds (a match takes the first).
func index(n *yaml.Node, path string, out []nodeRef) []nodeRef {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			out = index(c, path, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			out = append(out, nodeRef{path: p, line: k.Line, col: k.Column, key: k.Value})
			out = index(v, p, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			out = index(c, fmt.Sprintf("%s[%d]", path, i), out)
		}
	case yaml.ScalarNode:
		return append(out, nodeRef{path: path, line: n.Line, col: n.Column, value: n.Value})
	}
	if collection := n.Kind == yaml.SequenceNode || (n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0); collection && path != "" {
		out = append(out, nodeRef{path: path, line: n.Line, col: n.Column})
	}
	return out
}

var (
	lineMsg    = regexp.MustCompile(`^line (\d+)(?::(\d+))?: (.*)$`)
	unknownMsg = regexp.MustCompile(`^field (\S+) not found in type`)
	typeMsg    = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
)

// locate rewrites decoder messages as field errors.
func locate(root *yaml.Node, msgs []string) Errors {
	refs := index(root, "", nil)
	var errs Errors
	for _, m := range msgs {
		g := lineMsg.FindStringSubmatch(m)
		if g == nil {
			errs.add("", "%s", m)
			continue
		}
		line, _ := strconv.Atoi(g[1])
		col, _ := strconv.Atoi(g[2])
		msg := g[3]
		match := func(ok func(r nodeRef) bool) string {
			for _, r := range refs {
				if r.line == line && ok(r) {
					return r.path
				}
			}
			return fmt.Sprintf("(line %d)", line)
		}
		switch {
		case col > 0:
			errs.add(match(func(r nodeRef) bool { return r.col == col }), "%s", msg)
		case unknownMsg.MatchString(msg):
			name := unknownMsg.FindStringSubmatch(msg)[1]
			errs.add(match(func(r nodeRef) bool { return r.key == name }), "unknown field")
		case typeMsg.MatchString(msg):
			t := typeMsg.FindStringSubmatch(msg)
			val := strings.TrimSuffix(t[2], "...")
			path := match(func(r nodeRef) bool { return r.key == "" && strings.HasPrefix(r.value, val) })
			errs.add(path, "must be %s, not %s", goTypeName(t[3]), yamlTagName(t[1]))
		default:
			errs.add(fmt.Sprintf("(line %d)", line), "%s", msg)
		}
	}
	return errs
}

func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case strings.HasPrefix(t, "uint"):
		return "a non-negative integer"
	case strings.HasPrefix(t, "int"):
		return "an integer"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "a string"
	}
	return "a mapping"
}

func yamlTagName(tag string) string {
	switch tag {
	case "str":
		return "a string"
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	case "int":
		return "an integer"
	case "float":
		return "a number"
	case "bool":
		return "a boolean"
	}
	return tag
}
