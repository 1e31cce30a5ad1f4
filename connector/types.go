package connector

import (
	"slices"
	"strings"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// typePrefix starts the names of the object types a connector defines
// (the request body, each step's output), so they never clash with CEL's.
const typePrefix = "connector."

// provider gives CEL the object types of one connector: the fields of the
// request body (from the trigger's input), of each step's output, of the
// steps seen so far. At run time the objects are plain maps; a missing
// field reads as its type's empty value, so optional fields need no has().
type provider struct {
	types.Provider
	objects map[string]*object
}

// object is an object type: its fields in the order they were declared.
type object struct {
	name   string
	fields []field
}

// field is one field of an object type.
type field struct {
	name string
	t    *types.Type
}

func newProvider() (*provider, error) {
	base, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	return &provider{Provider: base, objects: map[string]*object{}}, nil
}

// define declares the object type name (without the prefix) with fields
// and returns it.
func (p *provider) define(name string, fields ...field) *types.Type {
	p.objects[typePrefix+name] = &object{name: name, fields: fields}
	return types.NewObjectType(typePrefix + name)
}

// add appends a field to the object type t.
func (p *provider) add(t *types.Type, f field) {
	if o := p.objects[t.TypeName()]; o != nil {
		o.fields = append(o.fields, f)
	}
}

// object returns the object type t, or nil when t is not one of ours.
func (p *provider) object(t *types.Type) *object {
	if t == nil || t.Kind() != types.StructKind {
		return nil
	}
	return p.objects[t.TypeName()]
}

// names returns the field names of o.
func (o *object) names() []string {
	out := make([]string, len(o.fields))
	for i, f := range o.fields {
		out[i] = f.name
	}
	return out
}

func (o *object) field(name string) (field, bool) {
	i := slices.IndexFunc(o.fields, func(f field) bool { return f.name == name })
	if i < 0 {
		return field{}, false
	}
	return o.fields[i], true
}

// FindStructType implements types.Provider.
func (p *provider) FindStructType(name string) (*types.Type, bool) {
	if _, ok := p.objects[name]; ok {
		return types.NewTypeTypeWithParam(types.NewObjectType(name)), true
	}
	return p.Provider.FindStructType(name)
}

// FindStructFieldNames implements types.Provider.
func (p *provider) FindStructFieldNames(name string) ([]string, bool) {
	if o, ok := p.objects[name]; ok {
		return o.names(), true
	}
	return p.Provider.FindStructFieldNames(name)
}

// FindStructFieldType implements types.Provider: the field reads from the
// map that stands for the object at run time.
func (p *provider) FindStructFieldType(name, fieldName string) (*types.FieldType, bool) {
	o, ok := p.objects[name]
	if !ok {
		return p.Provider.FindStructFieldType(name, fieldName)
	}
	f, ok := o.field(fieldName)
	if !ok {
		return nil, false
	}
	return &types.FieldType{
		Type: f.t,
		IsSet: func(target any) bool {
			m, ok := target.(map[string]any)
			_, set := m[fieldName]
			return ok && set
		},
		GetFrom: func(target any) (any, error) {
			if m, ok := target.(map[string]any); ok {
				if v, set := m[fieldName]; set {
					return v, nil
				}
			}
			return zero(f.t), nil
		},
	}, true
}

// NewValue implements types.Provider. Connector objects come from the
// request and the steps only; expressions cannot build them (compile
// refuses such expressions first).
func (p *provider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if strings.HasPrefix(name, typePrefix) {
		return types.NewErr("%s cannot be built in an expression", name)
	}
	return p.Provider.NewValue(name, fields)
}

// zero is the empty value of a type, as a plain Go value.
func zero(t *types.Type) any {
	switch t.Kind() {
	case types.StringKind:
		return ""
	case types.IntKind:
		return int64(0)
	case types.DoubleKind:
		return float64(0)
	case types.BoolKind:
		return false
	case types.ListKind:
		return []any{}
	case types.MapKind, types.StructKind:
		return map[string]any{}
	default:
		return nil
	}
}

// typeWords names a CEL type for a person.
func typeWords(t *types.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case types.StringKind:
		return "text"
	case types.IntKind, types.UintKind:
		return "a whole number"
	case types.DoubleKind:
		return "a number"
	case types.BoolKind:
		return "true or false"
	case types.ListKind:
		return "a list"
	case types.MapKind, types.StructKind:
		return "a group of fields"
	case types.TimestampKind:
		return "a time"
	case types.DurationKind:
		return "a duration"
	case types.NullTypeKind:
		return "null"
	case types.DynKind, types.AnyKind:
		return "a value"
	}
	return t.String()
}
