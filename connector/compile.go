package connector

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/cel-go/common/types"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/yamlfile"
)

// step is one compiled step.
type step struct {
	id, kind, ptr string

	// an action
	action      *action
	args        map[string]*value
	integration runway.Integration
	timeout     time.Duration
	retries     int

	// if, switch, foreach
	cond     *expr
	then     []*step
	els      []*step
	on       *expr
	cases    []switchCase
	fallback []*step
	items    *expr
	max      int
	do       []*step

	// transform, respond
	fields  *value
	status  *value
	body    *value
	headers map[string]*value
}

type switchCase struct {
	key   string
	steps []*step
}

// Step defaults and bounds.
const (
	defaultTimeout = 10 * time.Second
	maxTimeout     = 60 * time.Second
	defaultRetries = 2
)

// kindOf names the keys that make a step what it is; blockKeys the keys
// that go with one kind only.
var blockKeys = map[string]string{
	"then": "if", "else": "if", "cases": "switch", "default": "switch", "max": "foreach", "do": "foreach",
	"timeout": "action", "retries": "action",
}

var controlKinds = []string{"if", "switch", "foreach", "transform", "respond"}

// compiler compiles one connector.yaml.
type compiler struct {
	doc      *yamlfile.Document
	m        *runway.Manifest
	p        *provider
	c        *Connector
	problems []yamlfile.Problem
	ids      map[string]string
	steps    *types.Type
	inLoop   bool
	actions  map[string]bool
	hosts    map[string]bool
	dynamic  bool
}

func newCompiler(doc *yamlfile.Document, m *runway.Manifest) (*compiler, error) {
	p, err := newProvider()
	if err != nil {
		return nil, err
	}
	c := &compiler{doc: doc, m: m, p: p, ids: map[string]string{}, actions: map[string]bool{}, hosts: map[string]bool{},
		c: &Connector{App: m.Name, integrations: m.Integrations, used: map[string]runway.Integration{}}}
	c.steps = p.define("steps")
	return c, nil
}

// add records a problem at the value ptr points to.
func (c *compiler) add(ptr, msg, hint string) {
	line, col := c.doc.Pos(ptr)
	c.problems = append(c.problems, yamlfile.Problem{Line: line, Column: col, Path: yamlfile.DisplayPath(ptr), Message: msg, Hint: hint})
}

func (c *compiler) compile() (*Connector, error) {
	root, _ := c.doc.Value.(map[string]any)
	c.c.Description, _ = root["description"].(string)
	s := c.trigger(root["trigger"].(map[string]any))
	if s != nil {
		list, _ := root["steps"].([]any)
		c.c.steps = c.stepList(list, "/steps", s)
	}
	if err := yamlfile.NewError(c.doc.File, c.problems); err != nil {
		return nil, err
	}
	c.c.facts = c.factsOf()
	return c.c, nil
}

// stepList compiles a list of steps.
func (c *compiler) stepList(list []any, ptr string, s *scope) []*step {
	var out []*step
	for i, raw := range list {
		m, _ := raw.(map[string]any)
		if st := c.step(m, fmt.Sprintf("%s/%d", ptr, i), s); st != nil {
			out = append(out, st)
		}
	}
	return out
}

func (c *compiler) step(raw map[string]any, ptr string, s *scope) *step {
	st := &step{ptr: ptr}
	st.id, _ = raw["id"].(string)
	if first, dup := c.ids[st.id]; dup {
		line, _ := c.doc.Pos(first)
		c.add(ptr+"/id", fmt.Sprintf("step id `%s` is used twice (first on line %d)", st.id, line),
			"Give each step its own id: later steps read a step's result by its id.")
	}
	c.ids[st.id] = ptr
	var kinds []string
	for k := range raw {
		if actions[k] != nil || slices.Contains(controlKinds, k) {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	switch len(kinds) {
	case 0:
		c.add(ptr, fmt.Sprintf("step `%s` does nothing", st.id),
			"Give it one thing to do: an action ("+strings.Join(actionNames(), ", ")+"), or transform, if, switch, foreach or respond.")
		return nil
	case 1:
	default:
		c.add(ptr, fmt.Sprintf("step `%s` does several things: %s", st.id, quoteList(kinds)), "Split it into one step for each, each with its own id.")
		return nil
	}
	st.kind = kinds[0]
	for k := range raw {
		owner, ok := blockKeys[k]
		if ok && owner != st.kind && !(owner == "action" && actions[st.kind] != nil) {
			c.add(ptr+"/"+k, fmt.Sprintf("`%s` goes with %s steps, but step `%s` is a `%s` step", k, owner, st.id, st.kind), "Remove `"+k+"`, or move it to the step it belongs to.")
		}
	}
	out := c.stepKind(st, raw, s)
	if out == nil {
		out = c.p.define("steps." + st.id)
	}
	c.p.add(c.steps, field{st.id, out})
	return st
}

// stepKind compiles what the step does and returns its output's type.
func (c *compiler) stepKind(st *step, raw map[string]any, s *scope) *types.Type {
	ptr := st.ptr + "/" + escape(st.kind)
	switch st.kind {
	case "if":
		st.cond = c.condition(s, raw["if"], ptr, st.id)
		if raw["then"] == nil {
			c.add(st.ptr, fmt.Sprintf("step `%s` says if but not what to do then", st.id), "Add `then:` with the steps to run when the condition is true.")
		}
		st.then = c.block(raw["then"], st.ptr+"/then", s)
		st.els = c.block(raw["else"], st.ptr+"/else", s)
	case "switch":
		c.switchStep(st, raw, s)
	case "foreach":
		return c.foreach(st, raw, s)
	case "transform":
		fields, _ := raw["transform"].(map[string]any)
		st.fields = &value{kind: objectValue}
		var out []field
		for _, name := range sortedKeys(fields) {
			v := c.value(s, fields[name], ptr+"/"+escape(name), st.id, name)
			st.fields.fields = append(st.fields.fields, namedValue{name, v})
			out = append(out, field{name, v.celType()})
		}
		return c.p.define("steps."+st.id, out...)
	case "respond":
		c.respond(st, raw, s)
	default:
		return c.actionStep(st, raw, s)
	}
	return nil
}

func (c *compiler) block(raw any, ptr string, s *scope) []*step {
	list, _ := raw.([]any)
	return c.stepList(list, ptr, s)
}

// condition compiles an if expression, which must be true or false.
func (c *compiler) condition(s *scope, raw any, ptr, id string) *expr {
	e := c.expression(s, raw, ptr, fmt.Sprintf("step `%s`, if", id))
	if e != nil && !assignable(e.t, types.BoolType) {
		c.add(ptr, fmt.Sprintf("step `%s`, if: `%s` gives %s, not true or false", id, e.src, typeWords(e.t)),
			"Compare it with something, such as `request.body.amount > 100` or `request.body.name != \"\"`.")
		return nil
	}
	return e
}

// expression compiles a bare expression (an optional ${{ }} around it is
// accepted).
func (c *compiler) expression(s *scope, raw any, ptr, where string) *expr {
	src, _ := raw.(string)
	if m := placeholder.FindStringSubmatch(strings.TrimSpace(src)); m != nil && len(m[0]) == len(strings.TrimSpace(src)) {
		src = m[1]
	}
	e, problems := s.compile(src)
	for _, p := range problems {
		c.add(ptr, where+": "+p, exprHint)
	}
	return e
}

const exprHint = "Expressions are CEL: request.body.FIELD, steps.ID.FIELD, now; text in double quotes; " +
	"== != < > && || ! as usual. `runway connector test` tries the connector on its examples."

// value compiles a value; problems name the step and field.
func (c *compiler) value(s *scope, raw any, ptr, id, name string) *value {
	where := fmt.Sprintf("step `%s`", id)
	if name != "" {
		where += fmt.Sprintf(", field `%s`", name)
	}
	return compileValue(s, raw, func(msg string) { c.add(ptr, where+": "+msg, exprHint) })
}

func (c *compiler) switchStep(st *step, raw map[string]any, s *scope) {
	ptr := st.ptr + "/switch"
	st.on = c.expression(s, raw["switch"], ptr, fmt.Sprintf("step `%s`, switch", st.id))
	cases, _ := raw["cases"].(map[string]any)
	if cases == nil {
		c.add(st.ptr, fmt.Sprintf("step `%s` says switch but has no cases", st.id), "Add `cases:` with, for each value, the steps to run.")
	}
	keys := make([]string, 0, len(cases))
	for k := range cases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if st.on != nil && st.on.t.Kind() == types.IntKind {
			if _, err := strconv.ParseInt(k, 10, 64); err != nil {
				c.add(st.ptr+"/cases/"+escape(k), fmt.Sprintf("step `%s`: case `%s` is not a whole number, but `%s` gives one", st.id, k, st.on.src), "")
			}
		}
		st.cases = append(st.cases, switchCase{key: k, steps: c.block(cases[k], st.ptr+"/cases/"+escape(k), s)})
	}
	st.fallback = c.block(raw["default"], st.ptr+"/default", s)
}

func (c *compiler) foreach(st *step, raw map[string]any, s *scope) *types.Type {
	ptr := st.ptr + "/foreach"
	if c.inLoop {
		c.add(ptr, fmt.Sprintf("step `%s` is a foreach inside a foreach", st.id), "Loops inside loops multiply calls to other services; use one loop over a flat list instead.")
		return nil
	}
	st.items = c.expression(s, raw["foreach"], ptr, fmt.Sprintf("step `%s`, foreach", st.id))
	item := types.DynType
	if st.items != nil {
		switch st.items.t.Kind() {
		case types.ListKind:
			item = st.items.t.Parameters()[0]
		case types.DynKind:
		default:
			c.add(ptr, fmt.Sprintf("step `%s`, foreach: `%s` gives %s, not a list", st.id, st.items.src, typeWords(st.items.t)), "Give foreach a list, such as request.body.items.")
		}
	}
	if n, ok := raw["max"].(int64); ok {
		st.max = int(n)
	} else {
		c.add(st.ptr, fmt.Sprintf("step `%s` has no max", st.id), "Add `max:` with the most items the loop may handle, such as `max: 20`: a longer list then fails the run instead of sending too much.")
	}
	inner, err := s.with(map[string]*types.Type{"item": item, "index": types.IntType})
	if err != nil {
		c.add(ptr, fmt.Sprintf("step `%s`: %v", st.id, err), "")
		return nil
	}
	c.inLoop = true
	st.do = c.block(raw["do"], st.ptr+"/do", inner)
	c.inLoop = false
	if raw["do"] == nil {
		c.add(st.ptr, fmt.Sprintf("step `%s` says foreach but not what to do", st.id), "Add `do:` with the steps to run for each item.")
	}
	return c.p.define("steps."+st.id, field{"count", types.IntType})
}

func (c *compiler) respond(st *step, raw map[string]any, s *scope) {
	ptr := st.ptr + "/respond"
	switch {
	case c.c.Trigger.Kind == "schedule":
		c.add(ptr, fmt.Sprintf("step `%s` responds, but a schedule has nobody to answer", st.id), "Remove the respond step; schedule runs end after their last step.")
	case c.inLoop:
		c.add(ptr, fmt.Sprintf("step `%s` responds inside a foreach", st.id), "Respond after the loop: respond answers the request once and ends the run.")
	}
	r, _ := raw["respond"].(map[string]any)
	if v, ok := r["status"]; ok {
		st.status = c.value(s, v, ptr+"/status", st.id, "status")
		if t := st.status.celType(); !assignable(t, types.IntType) {
			c.add(ptr+"/status", fmt.Sprintf("step `%s`, field `status` gives %s, not a whole number", st.id, typeWords(t)), "Write a status such as 200, 201 or 422.")
		}
	}
	if v, ok := r["body"]; ok {
		st.body = c.value(s, v, ptr+"/body", st.id, "body")
	}
	st.headers = c.texts(s, r["headers"], ptr+"/headers", st.id)
}

// texts compiles a group of text values.
func (c *compiler) texts(s *scope, raw any, ptr, id string) map[string]*value {
	m, _ := raw.(map[string]any)
	if m == nil {
		return nil
	}
	out := make(map[string]*value, len(m))
	for k, v := range m {
		out[k] = c.value(s, v, ptr+"/"+escape(k), id, k)
	}
	return out
}

// assignable reports whether a value of type t may stand where want is
// expected (dyn may stand anywhere; numbers for numbers).
func assignable(t, want *types.Type) bool {
	switch {
	case t == nil:
		return true
	case t.Kind() == types.DynKind || t.Kind() == types.AnyKind:
		return true
	case want.Kind() == types.DoubleKind:
		return t.Kind() == types.IntKind || t.Kind() == types.DoubleKind
	}
	return t.Kind() == want.Kind()
}

// isAddress reports whether host is an IP address: the only hosts a
// connector may reach on private ranges or over plain http.
func isAddress(host string) bool { return net.ParseIP(strings.Trim(host, "[]")) != nil }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func escape(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }
