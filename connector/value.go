package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
)

// placeholder finds ${{ expression }} in text.
var placeholder = regexp.MustCompile(`\$\{\{(.*?)\}\}`)

// value is a value written in connector.yaml: a literal, one expression
// (`${{ x }}` alone keeps x's type), text with expressions inside, or a
// group of fields or a list of values.
type value struct {
	lit    any
	expr   *expr
	parts  []part
	fields []namedValue
	items  []*value
	kind   valueKind
}

type valueKind int

const (
	literalValue valueKind = iota
	exprValue
	textValue
	objectValue
	listValue
)

// part is a piece of text with expressions: plain text, or an expression.
type part struct {
	text string
	expr *expr
}

type namedValue struct {
	name string
	v    *value
}

// compileValue compiles raw, found at ptr; problems go to report.
func compileValue(s *scope, raw any, report func(msg string)) *value {
	switch x := raw.(type) {
	case string:
		return compileText(s, x, report)
	case map[string]any:
		v := &value{kind: objectValue}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v.fields = append(v.fields, namedValue{k, compileValue(s, x[k], report)})
		}
		return v
	case []any:
		v := &value{kind: listValue}
		for _, item := range x {
			v.items = append(v.items, compileValue(s, item, report))
		}
		return v
	}
	return &value{lit: raw}
}

// compileText compiles a string that may hold ${{ }} expressions.
func compileText(s *scope, text string, report func(msg string)) *value {
	locs := placeholder.FindAllStringSubmatchIndex(text, -1)
	if len(locs) == 0 {
		return &value{lit: text}
	}
	compile := func(src string) *expr {
		e, problems := s.compile(src)
		for _, p := range problems {
			report(p)
		}
		return e
	}
	trimmed := strings.TrimSpace(text)
	if len(locs) == 1 && locs[0][1]-locs[0][0] == len(trimmed) {
		return &value{kind: exprValue, expr: compile(text[locs[0][2]:locs[0][3]])}
	}
	v := &value{kind: textValue}
	last := 0
	for _, l := range locs {
		if l[0] > last {
			v.parts = append(v.parts, part{text: text[last:l[0]]})
		}
		v.parts = append(v.parts, part{expr: compile(text[l[2]:l[3]])})
		last = l[1]
	}
	if last < len(text) {
		v.parts = append(v.parts, part{text: text[last:]})
	}
	return v
}

// isLiteral reports whether v holds no expression.
func (v *value) isLiteral() bool { return v.kind == literalValue }

// celType returns the type v evaluates to; objects written as fields are
// maps.
func (v *value) celType() *types.Type {
	switch v.kind {
	case exprValue:
		if v.expr != nil {
			return v.expr.t
		}
		return types.DynType
	case textValue:
		return types.StringType
	case objectValue:
		return types.NewMapType(types.StringType, types.DynType)
	case listValue:
		return types.NewListType(types.DynType)
	}
	switch v.lit.(type) {
	case string:
		return types.StringType
	case int64:
		return types.IntType
	case float64:
		return types.DoubleType
	case bool:
		return types.BoolType
	}
	return types.DynType
}

// eval works v out with the variables in act.
func (v *value) eval(ctx context.Context, act map[string]any) (any, error) {
	switch v.kind {
	case exprValue:
		return v.expr.eval(ctx, act)
	case textValue:
		var b strings.Builder
		for _, p := range v.parts {
			if p.expr == nil {
				b.WriteString(p.text)
				continue
			}
			x, err := p.expr.eval(ctx, act)
			if err != nil {
				return nil, err
			}
			b.WriteString(stringify(x))
		}
		return b.String(), nil
	case objectValue:
		out := make(map[string]any, len(v.fields))
		for _, f := range v.fields {
			x, err := f.v.eval(ctx, act)
			if err != nil {
				return nil, err
			}
			out[f.name] = x
		}
		return out, nil
	case listValue:
		out := make([]any, len(v.items))
		for i, item := range v.items {
			x, err := item.eval(ctx, act)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return v.lit, nil
}

// native turns a CEL value into plain Go data: string, int64, float64,
// bool, nil, time.Time, []any and map[string]any.
func native(v ref.Val) (any, error) {
	switch x := v.(type) {
	case *types.Err:
		return nil, x
	case types.Bool:
		return bool(x), nil
	case types.Int:
		return int64(x), nil
	case types.Uint:
		return int64(x), nil
	case types.Double:
		return float64(x), nil
	case types.String:
		return string(x), nil
	case types.Bytes:
		return string(x), nil
	case types.Null:
		return nil, nil
	case types.Timestamp:
		return x.Time, nil
	case types.Duration:
		return x.Duration.String(), nil
	}
	switch raw := v.Value().(type) {
	case map[string]any:
		return raw, nil
	case []any:
		return raw, nil
	}
	switch x := v.(type) {
	case traits.Lister:
		var out []any
		for it := x.Iterator(); it.HasNext() == types.True; {
			item, err := native(it.Next())
			if err != nil {
				return nil, err
			}
			out = append(out, item)
		}
		return nonNilList(out), nil
	case traits.Mapper:
		out := map[string]any{}
		for it := x.Iterator(); it.HasNext() == types.True; {
			k := it.Next()
			item, err := native(x.Get(k))
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k.Value())] = item
		}
		return out, nil
	}
	return v.Value(), nil
}

func nonNilList(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// stringify writes a value into text: text as it is, numbers and times in
// their usual form, null as nothing, groups and lists as JSON.
func stringify(x any) string {
	switch v := x.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return v.Format(time.RFC3339)
	}
	data, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprint(x)
	}
	return string(data)
}
