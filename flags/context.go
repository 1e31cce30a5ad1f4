package flags

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// TargetingKey is the context attribute that names who is evaluating: a
// user, a session, an account. Percentage rollouts bucket on it.
const TargetingKey = "targetingKey"

// Context is an OpenFeature evaluation context: the targeting key and the
// other attributes an app sends with an evaluation.
type Context struct {
	TargetingKey string
	// Attributes hold the other attributes as encoding/json decodes them
	// with UseNumber: string, json.Number, bool, nil, []any, map[string]any.
	Attributes map[string]any
}

// MaxAttributes is the most attributes a context may carry.
const MaxAttributes = 1000

// MarshalJSON writes the context as OFREP sends it: one object, with the
// targeting key among the attributes.
func (c Context) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(c.Attributes)+1)
	for k, v := range c.Attributes {
		m[k] = v
	}
	if c.TargetingKey != "" {
		m[TargetingKey] = c.TargetingKey
	}
	return json.Marshal(m)
}

// lookup returns an attribute; the targeting key is one too.
func (c Context) lookup(name string) (any, bool) {
	if name == TargetingKey {
		return c.TargetingKey, c.TargetingKey != ""
	}
	v, ok := c.Attributes[name]
	return v, ok && v != nil
}

// ParseRequest reads an OFREP evaluation request body, {"context": {...}}.
// An empty body, a missing context and a null context are an empty
// context. It returns an *Error: PARSE_ERROR when the body is not one JSON
// object, INVALID_CONTEXT when the context is not an object, its
// targetingKey not a string, or it has too many attributes.
func ParseRequest(body []byte) (Context, *Error) {
	var c Context
	if len(bytes.TrimSpace(body)) == 0 {
		return c, nil
	}
	// One pass: the context decodes as any, and its type is checked after.
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var req struct {
		Context any `json:"context"`
	}
	if err := dec.Decode(&req); err != nil {
		return c, &Error{Code: ErrParse, Details: fmt.Sprintf("the request body is not a JSON object like {\"context\": {...}}: %v", err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return c, &Error{Code: ErrParse, Details: "the request body has more after its JSON object"}
	}
	if req.Context == nil {
		return c, nil
	}
	attrs, ok := req.Context.(map[string]any)
	if !ok {
		return c, &Error{Code: ErrInvalidContext, Details: "the context must be a JSON object of attributes"}
	}
	if len(attrs) > MaxAttributes {
		return c, &Error{Code: ErrInvalidContext, Details: fmt.Sprintf("the context has %d attributes; at most %d are allowed", len(attrs), MaxAttributes)}
	}
	if tk, ok := attrs[TargetingKey]; ok {
		s, isString := tk.(string)
		if !isString && tk != nil {
			return c, &Error{Code: ErrInvalidContext, Details: "the context's targetingKey must be a string"}
		}
		c.TargetingKey = s
		delete(attrs, TargetingKey)
	}
	c.Attributes = attrs
	return c, nil
}
