package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema is a compiled JSON Schema together with its source, which is read
// for the descriptions, allowed keys and values that explain a problem.
//
// A property marked "writeOnly": true is treated as sensitive: its value is
// never repeated in a problem.
type Schema struct {
	compiled *jsonschema.Schema
	root     map[string]any
}

// CompileSchema compiles a JSON Schema document. id names it in errors.
func CompileSchema(id string, data []byte) (*Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", id, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(id, doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", id, err)
	}
	compiled, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", id, err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema %s: not an object", id)
	}
	return &Schema{compiled: compiled, root: root}, nil
}

// Validate checks d against s and returns an *Error listing every problem,
// or nil.
func (d *Document) Validate(s *Schema) error {
	err := s.compiled.Validate(d.Value)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate %s: %w", d.File, err)
	}
	var problems []Problem
	for _, leaf := range leaves(ve) {
		problems = append(problems, d.explain(s, leaf)...)
	}
	return NewError(d.File, problems)
}

// leaves returns the innermost errors, the ones that name a keyword.
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

var printer = message.NewPrinter(language.English)

// explain turns one schema error into problems a person can act on.
func (d *Document) explain(s *Schema, ve *jsonschema.ValidationError) []Problem {
	ptr := pointer(ve.InstanceLocation)
	node := s.at(ve.InstanceLocation)
	name := "`" + DisplayPath(ptr) + "`"
	if ptr == "" {
		name = "the file"
	}
	at := func(p Problem, key bool) Problem {
		if key {
			p.Line, p.Column = d.KeyPos(p.Path)
		} else {
			p.Line, p.Column = d.Pos(p.Path)
		}
		p.Path = DisplayPath(p.Path)
		return p
	}
	value := func(v any) string {
		if sensitive(node) {
			return "(value hidden)"
		}
		return "`" + show(v) + "`"
	}
	p := Problem{Path: ptr, Hint: describe(node)}
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		allowed := keys(s.at(ve.InstanceLocation))
		var out []Problem
		for _, prop := range k.Properties {
			q := Problem{Path: ptr + "/" + escapePointer(prop), Message: fmt.Sprintf("unknown key `%s`", prop)}
			if near := closest(prop, allowed); near != "" {
				q.Message += fmt.Sprintf(" — did you mean `%s`?", near)
			}
			q.Hint = "Keys allowed here: " + strings.Join(allowed, ", ") + "."
			out = append(out, at(q, true))
		}
		return out
	case *kind.Required:
		var out []Problem
		for _, m := range k.Missing {
			child := s.at(append(append([]string{}, ve.InstanceLocation...), m))
			q := Problem{Path: ptr, Message: fmt.Sprintf("missing `%s`", m), Hint: describe(child)}
			if ex := example(child); ex != "" {
				q.Hint = strings.TrimSpace(q.Hint + "\nAdd, for example: `" + m + ": " + ex + "`")
			}
			out = append(out, at(q, false))
		}
		return out
	case *kind.Type:
		p.Message = fmt.Sprintf("%s must be %s, not %s", name, typeWords(k.Want), typeWord(k.Got))
		if v, ok := d.lookup(ptr); ok && isScalar(v) && v != nil {
			p.Message += " (" + value(v) + ")"
		}
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = show(w)
		}
		p.Message = fmt.Sprintf("%s is %s, which is not one of the allowed values", name, value(k.Got))
		if near := closest(show(k.Got), want); near != "" && !sensitive(node) {
			p.Message += fmt.Sprintf(" — did you mean `%s`?", near)
		}
		p.Hint = strings.TrimSpace("Choose one of: " + strings.Join(want, ", ") + ".\n" + p.Hint)
	case *kind.Pattern:
		p.Message = fmt.Sprintf("%s is %s, which is not in the expected form", name, value(k.Got))
		if fix := repair(k.Got, k.Want); fix != "" && !sensitive(node) {
			p.Message += fmt.Sprintf(" — did you mean `%s`?", fix)
		}
	case *kind.MinLength:
		p.Message = fmt.Sprintf("%s is too short: %d characters, at least %d needed", name, k.Got, k.Want)
		if k.Want == 1 {
			p.Message = name + " must not be empty"
		}
	case *kind.MaxLength:
		p.Message = fmt.Sprintf("%s is too long: %d characters, at most %d allowed", name, k.Got, k.Want)
	case *kind.Minimum:
		p.Message = fmt.Sprintf("%s is %s; it must be at least %s", name, ratString(k.Got), ratString(k.Want))
	case *kind.Maximum:
		p.Message = fmt.Sprintf("%s is %s; it must be at most %s", name, ratString(k.Got), ratString(k.Want))
	case *kind.MaxItems:
		p.Message = fmt.Sprintf("%s lists %d items; at most %d are allowed", name, k.Got, k.Want)
	case *kind.MinItems:
		p.Message = fmt.Sprintf("%s lists %d items; at least %d are needed", name, k.Got, k.Want)
	case *kind.UniqueItems:
		item := ptr + "/" + strconv.Itoa(k.Duplicates[1])
		v, _ := d.lookup(item)
		p.Path = item
		p.Message = fmt.Sprintf("%s lists %s twice", name, value(v))
		p.Hint = "Remove the second one."
	default:
		p.Message = fmt.Sprintf("%s: %s", name, ve.ErrorKind.LocalizedString(printer))
	}
	return []Problem{at(p, false)}
}

// lookup returns the value at ptr.
func (d *Document) lookup(ptr string) (any, bool) {
	v := d.Value
	for _, tok := range tokens(ptr) {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// at returns the sub-schema that applies at an instance location.
func (s *Schema) at(loc []string) map[string]any {
	cur := s.resolve(s.root)
	for _, tok := range loc {
		if cur == nil {
			return nil
		}
		if props, ok := cur["properties"].(map[string]any); ok {
			if next, ok := props[tok].(map[string]any); ok {
				cur = s.resolve(next)
				continue
			}
		}
		if items, ok := cur["items"].(map[string]any); ok {
			if _, err := strconv.Atoi(tok); err == nil {
				cur = s.resolve(items)
				continue
			}
		}
		return nil
	}
	return cur
}

// resolve follows a local "$ref" (#/$defs/name), keeping the referring
// node's own description when it has one.
func (s *Schema) resolve(node map[string]any) map[string]any {
	ref, ok := node["$ref"].(string)
	if !ok {
		return node
	}
	defs, _ := s.root["$defs"].(map[string]any)
	target, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
	if target == nil {
		return node
	}
	merged := make(map[string]any, len(target)+1)
	for k, v := range target {
		merged[k] = v
	}
	if desc, ok := node["description"]; ok {
		merged["description"] = desc
	}
	return merged
}

func keys(node map[string]any) []string {
	props, _ := node["properties"].(map[string]any)
	out := make([]string, 0, len(props))
	for k := range props {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func describe(node map[string]any) string {
	s, _ := node["description"].(string)
	return s
}

func sensitive(node map[string]any) bool {
	b, _ := node["writeOnly"].(bool)
	return b
}

func example(node map[string]any) string {
	if ex, ok := node["examples"].([]any); ok && len(ex) > 0 {
		return show(ex[0])
	}
	if enum, ok := node["enum"].([]any); ok && len(enum) > 0 {
		return show(enum[0])
	}
	return ""
}

func pointer(loc []string) string {
	var b strings.Builder
	for _, tok := range loc {
		b.WriteString("/" + escapePointer(tok))
	}
	return b.String()
}

func tokens(ptr string) []string {
	if ptr == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		parts[i] = unescapePointer(p)
	}
	return parts
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

var typeNames = map[string]string{
	"string":  "text",
	"integer": "a whole number",
	"number":  "a number",
	"boolean": "true or false",
	"array":   "a list",
	"object":  "a section of keys",
	"null":    "empty",
}

func typeWord(t string) string {
	if w, ok := typeNames[t]; ok {
		return w
	}
	return t
}

func typeWords(ts []string) string {
	words := make([]string, len(ts))
	for i, t := range ts {
		words[i] = typeWord(t)
	}
	return strings.Join(words, " or ")
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(2)
}

// repair returns a corrected form of got that matches pattern, or "".
func repair(got, pattern string) string {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return ""
	}
	for _, fix := range fixers {
		if c := fix(got); c != "" && c != got && re.MatchString(c) {
			return c
		}
	}
	return ""
}
