package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/google/cel-go/common/types"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/yamlfile"
)

// input is what a trigger's request body must hold, from its `input:`
// (a small JSON Schema): the schema that checks it, the field types that
// decoding converts to, and the CEL type of request.body.
type input struct {
	schema  *jsonschema.Schema
	explain *yamlfile.Schema
	root    *fieldSpec
}

// fieldSpec is the type of one field of the body.
type fieldSpec struct {
	typ   string // string, integer, number, boolean, object or array
	props map[string]*fieldSpec
	order []string
	items *fieldSpec
}

// formats are the patterns that stand for the `format:` an input may
// name, so that checking and explaining agree.
var formats = map[string]string{
	"email":     `^[^@\s]+@[^@\s]+\.[^@\s]+$`,
	"uri":       `^https?://[^\s]+$`,
	"date":      `^\d{4}-\d{2}-\d{2}$`,
	"date-time": `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$`,
}

// compileInput compiles the `input:` of a trigger and defines the CEL type
// of the body.
func compileInput(p *provider, raw map[string]any) (*input, *types.Type, error) {
	doc := schemaDoc(raw)
	doc["type"] = "object"
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	parsed, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("input.json", parsed); err != nil {
		return nil, nil, err
	}
	s, err := c.Compile("input.json")
	if err != nil {
		return nil, nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "jsonschema: "))
	}
	explain, err := yamlfile.CompileSchema("input.json", data)
	if err != nil {
		return nil, nil, err
	}
	in := &input{schema: s, explain: explain, root: specOf(doc)}
	return in, in.root.celType(p, "request.body"), nil
}

// schemaDoc copies an input schema, replacing each format with its
// pattern.
func schemaDoc(raw map[string]any) map[string]any {
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		switch k {
		case "format":
			if _, has := raw["pattern"]; !has {
				out["pattern"] = formats[fmt.Sprint(v)]
			}
			if _, has := raw["description"]; !has {
				out["description"] = "It must be " + map[string]string{"email": "an email address", "uri": "a web address (https://...)",
					"date": "a date such as 2025-01-31", "date-time": "a time such as 2025-01-31T09:00:00Z"}[fmt.Sprint(v)] + "."
			}
		case "properties":
			props := map[string]any{}
			m, _ := v.(map[string]any)
			for name, f := range m {
				fm, _ := f.(map[string]any)
				props[name] = schemaDoc(fm)
			}
			out[k] = props
		case "items":
			fm, _ := v.(map[string]any)
			out[k] = schemaDoc(fm)
		default:
			out[k] = v
		}
	}
	return out
}

func specOf(doc map[string]any) *fieldSpec {
	f := &fieldSpec{typ: fmt.Sprint(doc["type"])}
	if props, ok := doc["properties"].(map[string]any); ok {
		f.props = map[string]*fieldSpec{}
		for name, p := range props {
			pm, _ := p.(map[string]any)
			f.props[name] = specOf(pm)
			f.order = append(f.order, name)
		}
		sort.Strings(f.order)
	}
	if items, ok := doc["items"].(map[string]any); ok {
		f.items = specOf(items)
	}
	return f
}

// celType defines the CEL type of the field (objects become object types
// named after their path).
func (f *fieldSpec) celType(p *provider, path string) *types.Type {
	if f == nil {
		return types.DynType
	}
	switch f.typ {
	case "string":
		return types.StringType
	case "integer":
		return types.IntType
	case "number":
		return types.DoubleType
	case "boolean":
		return types.BoolType
	case "array":
		return types.NewListType(f.items.celType(p, path+".item"))
	case "object":
		if f.props == nil {
			return types.NewMapType(types.StringType, types.DynType)
		}
		fields := make([]field, 0, len(f.order))
		for _, name := range f.order {
			fields = append(fields, field{name, f.props[name].celType(p, path+"."+name)})
		}
		return p.define(path, fields...)
	}
	return types.DynType
}

// Problem is one thing wrong with a request's body, for its sender.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// badInput is a request whose body does not hold what the trigger
// expects.
type badInput struct {
	status   int
	message  string
	problems []Problem
}

func (b *badInput) Error() string { return b.message }

// decodeBody reads a request body (JSON, or a form; for GET and DELETE the
// query) into plain data, converted to the input's types and checked
// against it.
func (in *input) decodeBody(method, contentType string, body []byte, query url.Values) (map[string]any, error) {
	raw, err := in.read(method, contentType, body, query)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return raw, nil
	}
	v := in.root.normalize(raw).(map[string]any)
	if err := in.schema.Validate(v); err != nil {
		return nil, &badInput{status: 400, message: "The request does not hold what this connector expects.", problems: in.problems(v, err)}
	}
	return v, nil
}

func (in *input) read(method, contentType string, body []byte, query url.Values) (map[string]any, error) {
	if (method == "GET" || method == "DELETE") && len(bytes.TrimSpace(body)) == 0 {
		return in.form(query), nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &badInput{status: 400, message: "The form in the request cannot be read: " + err.Error()}
		}
		return in.form(vals), nil
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "":
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			return nil, &badInput{status: 400, message: "The request's body is not valid JSON."}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, &badInput{status: 400, message: "The request's body must be a JSON object, such as {\"name\": \"Ada\"}."}
		}
		return m, nil
	}
	return nil, &badInput{status: 415, message: fmt.Sprintf("This connector reads JSON or forms, not %s.", mt)}
}

// form turns form or query values into fields: a list for array fields,
// the first value otherwise.
func (in *input) form(vals url.Values) map[string]any {
	out := make(map[string]any, len(vals))
	for k, vs := range vals {
		if in != nil && in.root.props[k] != nil && in.root.props[k].typ == "array" {
			items := make([]any, len(vs))
			for i, s := range vs {
				items[i] = s
			}
			out[k] = items
		} else if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}

// normalize converts numbers and form text to the declared types, and
// JSON numbers of undeclared fields to int64 or float64. A value that does
// not convert is left for the schema to refuse.
func (f *fieldSpec) normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, item := range x {
			var sub *fieldSpec
			if f != nil {
				sub = f.props[k]
			}
			x[k] = sub.normalize(item)
		}
		return x
	case []any:
		var sub *fieldSpec
		if f != nil {
			sub = f.items
		}
		for i, item := range x {
			x[i] = sub.normalize(item)
		}
		return x
	case json.Number:
		return f.number(string(x))
	case string:
		if f != nil && (f.typ == "integer" || f.typ == "number") {
			return f.number(x)
		}
		if f != nil && f.typ == "boolean" {
			switch strings.ToLower(x) {
			case "true", "on", "1", "yes":
				return true
			case "false", "off", "0", "no", "":
				return false
			}
		}
	}
	return v
}

func (f *fieldSpec) number(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil && (f == nil || f.typ != "number") {
		return i
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if f != nil && f.typ == "integer" && n == float64(int64(n)) {
			return int64(n)
		}
		return n
	}
	return s
}

// problems explains why v does not match, field by field.
func (in *input) problems(v map[string]any, verr error) []Problem {
	data, err := json.Marshal(v)
	if err == nil {
		doc, perr := yamlfile.Parse("request body", data, yamlfile.Limits{MaxBytes: len(data) + 1, MaxValues: 1 << 20})
		var ye *yamlfile.Error
		if perr == nil && errors.As(doc.Validate(in.explain), &ye) {
			out := make([]Problem, len(ye.Problems))
			for i, p := range ye.Problems {
				out[i] = Problem{Field: p.Path, Message: strings.TrimSpace(p.Message + ". " + p.Hint)}
			}
			return out
		}
	}
	return []Problem{{Message: runway.ErrorMessage(&runway.Error{Message: verr.Error()})}}
}
