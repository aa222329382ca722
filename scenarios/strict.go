package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// strictNumbers reports every integer field whose value is not an integer
// in range: the YAML decoder truncates 2.9 into an int and wraps a seed
// past 2^64−1, so a typo would run silently as another scenario. It walks
// the document beside the type it decodes into; types with their own
// UnmarshalYAML check themselves, and shapes the decoder will reject
// anyway are left to it.
func strictNumbers(n *yaml.Node, t reflect.Type, path string) Errors {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || n == nil {
		return nil
	}
	// An alias decodes as its anchor's value, so is checked as one (Parse
	// has refused an alias cycle before this runs).
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	join := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	var errs Errors
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if ft, ok := fields[n.Content[i].Value]; ok {
				errs = append(errs, strictNumbers(n.Content[i+1], ft, join(n.Content[i].Value))...)
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, strictNumbers(n.Content[i+1], t.Elem(), join(n.Content[i].Value))...)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, c := range n.Content {
			errs = append(errs, strictNumbers(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if msg := integerProblem(n, t); msg != "" {
			errs = append(errs, FieldError{Path: path, Msg: msg})
		}
	}
	return errs
}

// integerProblem says why a scalar is not a value of the integer type t
// ("" if it is one).
func integerProblem(n *yaml.Node, t reflect.Type) string {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		return "" // the decoder reports what is no number at all
	}
	v := strings.ReplaceAll(n.Value, "_", "")
	if n.ShortTag() != "!!int" {
		// YAML reads only an integer literal too large for 64 bits as a
		// float made of digits.
		if digits := strings.TrimLeft(v, "+-"); digits != "" && strings.Trim(digits, "0123456789") == "" {
			return fmt.Sprintf("%s is out of range for a %d-bit integer", n.Value, t.Bits())
		}
		return fmt.Sprintf("must be an integer, not %q", n.Value)
	}
	var err error
	if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
		if strings.HasPrefix(v, "-") {
			return fmt.Sprintf("must be ≥ 0, not %s", n.Value)
		}
		_, err = strconv.ParseUint(strings.TrimPrefix(v, "+"), 0, t.Bits())
	} else {
		_, err = strconv.ParseInt(v, 0, t.Bits())
	}
	if err != nil {
		return fmt.Sprintf("%s is out of range for a %d-bit integer", n.Value, t.Bits())
	}
	return ""
}

// yamlFields maps a struct's YAML keys to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}
