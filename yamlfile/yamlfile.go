// Package yamlfile reads the small YAML files people write by hand
// (runway.yaml and its siblings) strictly: it keeps every value's position,
// refuses oversized files, alias bombs, duplicate keys and multiple
// documents, validates against a JSON Schema and explains each problem in
// plain words with the file, line and column.
//
// It knows nothing about any particular file; callers bring the schema. It
// imports no other Runway package.
package yamlfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits bound what Parse accepts. Hand-written files are small; anything
// larger is a mistake or an attack and is refused before it costs much.
type Limits struct {
	// MaxBytes is the largest file accepted.
	MaxBytes int
	// MaxValues bounds the values in the document after aliases (*name) are
	// expanded, which stops "billion laughs" alias bombs.
	MaxValues int
}

// DefaultLimits fit any realistic hand-written file with room to spare.
var DefaultLimits = Limits{MaxBytes: 256 << 10, MaxValues: 10_000}

// Document is a parsed file: its value as plain Go data (maps, slices,
// strings, int64, float64, bools, nil) and the position of every value and
// key, addressed by JSON Pointer ("/integrations/0/secret").
type Document struct {
	File  string
	Value any
	// values and keys map a JSON Pointer to the node of the value, and to
	// the node of the key that names it.
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
}

// ReadFile reads and parses path, naming it file in problems. It refuses a
// file over the limit without reading it whole.
func ReadFile(path, file string, lim Limits) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(lim.MaxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if len(data) > lim.MaxBytes {
		size := int64(len(data))
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		return nil, tooLarge(file, size, lim)
	}
	return Parse(file, data, lim)
}

// Parse parses data, naming it file in problems. Problems with the content
// are returned as an *Error.
func Parse(file string, data []byte, lim Limits) (*Document, error) {
	if len(data) > lim.MaxBytes {
		return nil, tooLarge(file, int64(len(data)), lim)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, NewError(file, []Problem{{Line: 1, Message: "the file is empty", Hint: "Start from a template with `runway new`, or run `runway schema` to see every key."}})
		}
		return nil, NewError(file, []Problem{syntaxProblem(err)})
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, NewError(file, []Problem{{Line: extra.Line, Column: extra.Column, Message: "the file holds more than one YAML document (a second `---`)", Hint: "Keep everything in one document: remove the second `---` and merge the keys."}})
	} else if !errors.Is(err, io.EOF) {
		return nil, NewError(file, []Problem{syntaxProblem(err)})
	}
	d := &Document{File: file, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	b := &builder{doc: d, budget: lim.MaxValues}
	d.Value = b.value(&root, "")
	if b.overflow {
		return nil, NewError(file, []Problem{{Line: 1, Message: fmt.Sprintf("the file expands to more than %d values", lim.MaxValues),
			Hint: "It repeats content through YAML aliases (&name and *name). Write the values out plainly instead."}})
	}
	return d, NewError(file, b.problems)
}

func tooLarge(file string, size int64, lim Limits) error {
	return NewError(file, []Problem{{Message: fmt.Sprintf("the file is %d bytes; the limit is %d", size, lim.MaxBytes),
		Hint: "This file should be a few kilobytes. Check that it is the right file and that nothing was pasted into it by mistake."}})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxProblem turns a YAML parser error into a Problem with a position.
func syntaxProblem(err error) Problem {
	msg := err.Error()
	p := Problem{Message: "the YAML is malformed: " + strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = "the YAML is malformed: " + m[2]
	}
	p.Hint = "Check the indentation on this line and the one before: use spaces, not tabs, and line keys up under each other. Put text containing `: ` or `#` in quotes."
	return p
}

// Decode stores the document's value in v through its JSON form, so v's
// json tags name the keys.
func (d *Document) Decode(v any) error {
	data, err := json.Marshal(d.Value)
	if err != nil {
		return fmt.Errorf("decode %s: %w", d.File, err)
	}
	return json.Unmarshal(data, v)
}

// Pos returns the line and column of the value at the JSON Pointer ptr, or
// of its closest enclosing value that has one.
func (d *Document) Pos(ptr string) (line, col int) {
	return d.pos(d.values, ptr)
}

// KeyPos returns the line and column of the key that names the value at
// ptr, falling back like Pos.
func (d *Document) KeyPos(ptr string) (line, col int) {
	return d.pos(d.keys, ptr)
}

func (d *Document) pos(m map[string]*yaml.Node, ptr string) (int, int) {
	for {
		if n, ok := m[ptr]; ok {
			return n.Line, n.Column
		}
		if n, ok := d.values[ptr]; ok {
			return n.Line, n.Column
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return 1, 1
		}
		ptr = ptr[:i]
	}
}

// builder turns a yaml.Node tree into plain values, recording positions
// and problems, and counting values against the alias-expansion budget.
type builder struct {
	doc      *Document
	budget   int
	overflow bool
	problems []Problem
}

func (b *builder) value(n *yaml.Node, ptr string) any {
	if b.budget--; b.budget < 0 {
		b.overflow = true
		return nil
	}
	if _, seen := b.doc.values[ptr]; !seen {
		b.doc.values[ptr] = n
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return b.value(n.Content[0], ptr)
	case yaml.AliasNode:
		return b.value(n.Alias, ptr)
	case yaml.MappingNode:
		return b.mapping(n, ptr)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			if b.overflow {
				return nil
			}
			out = append(out, b.value(c, ptr+"/"+strconv.Itoa(i)))
		}
		return out
	default:
		return b.scalar(n)
	}
}

func (b *builder) mapping(n *yaml.Node, ptr string) any {
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content) && !b.overflow; i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			b.problems = append(b.problems, Problem{Line: k.Line, Column: k.Column, Message: "a key must be a plain word", Hint: "Write keys as `name: value`."})
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			b.problems = append(b.problems, Problem{Line: k.Line, Column: k.Column, Message: "merge keys (`<<`) are not supported", Hint: "Write the keys out in full."})
			continue
		}
		child := ptr + "/" + escapePointer(k.Value)
		if _, dup := out[k.Value]; dup {
			first := b.doc.keys[child]
			b.problems = append(b.problems, Problem{Line: k.Line, Column: k.Column, Path: DisplayPath(child),
				Message: fmt.Sprintf("key `%s` appears twice (first on line %d)", k.Value, first.Line),
				Hint:    "Keep one of them: YAML would silently use only the last one."})
			continue
		}
		b.doc.keys[child] = k
		out[k.Value] = b.value(v, child)
	}
	return out
}

func (b *builder) scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var v bool
		if n.Decode(&v) == nil {
			return v
		}
	case "!!int":
		var v int64
		if n.Decode(&v) == nil {
			return v
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!float":
		// NaN and infinities have no JSON form; keep them as text so the
		// schema reports them as "not a number".
		var v float64
		if n.Decode(&v) == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v
		}
	}
	return n.Value
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func unescapePointer(s string) string {
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
}

// DisplayPath turns the JSON Pointer "/integrations/0/secret" into the
// "integrations[0].secret" that Problem.Path shows.
func DisplayPath(ptr string) string {
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(unescapePointer(tok))
	}
	return b.String()
}
