package flags

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
)

// Spec is a flag's definition as people write it: the body of the API's
// create and update calls and the file `runway flags apply` reads. Every
// field but Key and Type may change later; Enabled left out keeps the flag
// as it is (and, for a new flag, means on outside production).
type Spec struct {
	Key         string               `json:"key"`
	Type        runway.FlagType      `json:"type"`
	Description string               `json:"description,omitempty"`
	Variants    []runway.FlagVariant `json:"variants,omitempty"`
	OffVariant  string               `json:"off_variant,omitempty"`
	Enabled     *bool                `json:"enabled,omitempty"`
	Rules       []runway.FlagRule    `json:"rules,omitempty"`
	Default     runway.FlagServe     `json:"default"`
	Salt        string               `json:"salt,omitempty"`
}

// Limits on a definition, so that one flag cannot slow every evaluation of
// its app down or fill the database.
const (
	MaxVariants    = 50
	MaxValueBytes  = 16 << 10
	MaxRules       = 200
	MaxConditions  = 20
	MaxValues      = 1000
	MaxGroupKeys   = 10000
	MaxDescription = 1000
	MaxSpecBytes   = 1 << 20
)

var (
	validKey     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,127}$`)
	validVariant = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	validGroup   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	validAttr    = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_.$-]{0,127}$`)
)

// ParseSpec reads a flag definition strictly (unknown fields are errors),
// fills in the defaults (Defaults) and validates it without groups (the
// service checks the groups it names). Errors are EINVALID and list every
// problem.
func ParseSpec(data []byte) (*Spec, error) {
	if len(data) > MaxSpecBytes {
		return nil, runway.Errorf(runway.EINVALID, "the flag definition is %d bytes; at most %d are allowed", len(data), MaxSpecBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, runway.Errorf(runway.EINVALID, "the flag definition is not valid JSON of a flag: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, runway.Errorf(runway.EINVALID, "the flag definition has more after its JSON object: give one flag per file")
	}
	s.Defaults()
	f := s.Flag()
	if err := Validate(f, nil); err != nil {
		return nil, err
	}
	return &s, nil
}

// Defaults fills in what a boolean flag may leave out: the variants "on"
// (true) and "off" (false), the off variant "off", and a default of "on".
func (s *Spec) Defaults() {
	if s.Type != runway.FlagBoolean {
		return
	}
	if len(s.Variants) == 0 {
		s.Variants = []runway.FlagVariant{{Name: "on", Value: json.RawMessage("true")}, {Name: "off", Value: json.RawMessage("false")}}
	}
	for _, v := range s.Variants {
		if s.OffVariant == "" && string(bytes.TrimSpace(v.Value)) == "false" {
			s.OffVariant = v.Name
		}
		if s.Default.Variant == "" && len(s.Default.Rollout) == 0 && string(bytes.TrimSpace(v.Value)) == "true" {
			s.Default.Variant = v.Name
		}
	}
}

// Flag returns the flag the spec describes (enabled unless it says
// otherwise), without app, environment or version.
func (s *Spec) Flag() *runway.Flag {
	f := &runway.Flag{Key: s.Key, Type: s.Type, Description: s.Description, Variants: s.Variants,
		OffVariant: s.OffVariant, Rules: s.Rules, Default: s.Default, Salt: s.Salt, Enabled: true}
	if s.Enabled != nil {
		f.Enabled = *s.Enabled
	}
	return f
}

// Validate checks a flag's definition. groups names the app's groups; nil
// skips checking that the groups a rule names exist. The error is EINVALID
// and lists every problem.
func Validate(f *runway.Flag, groups []string) error {
	var p problems
	if !validKey.MatchString(f.Key) {
		p.add("key %q: start with a letter; use letters, digits, '.', '_' and '-' (at most 128)", f.Key)
	}
	if !slices.Contains(runway.FlagTypes, f.Type) {
		p.add("type %q: use one of %v", f.Type, runway.FlagTypes)
	}
	if len(f.Description) > MaxDescription {
		p.add("the description is longer than %d characters", MaxDescription)
	}
	names := p.variants(f)
	if !slices.Contains(names, f.OffVariant) {
		p.add("off_variant %q: name one of the variants %v (it is what the flag serves when off)", f.OffVariant, names)
	}
	if len(f.Rules) > MaxRules {
		p.add("%d rules: at most %d", len(f.Rules), MaxRules)
	}
	for i, r := range f.Rules {
		where := fmt.Sprintf("rule %d", i+1)
		if r.Name != "" {
			where = fmt.Sprintf("rule %d (%s)", i+1, r.Name)
		}
		if len(r.Conditions) == 0 {
			p.add("%s: give at least one condition (the default serves everyone else)", where)
		}
		p.conditions(where, r.Conditions, groups, true)
		p.serve(where, r.Serve, names)
	}
	p.serve("default", f.Default, names)
	return p.err("flag " + f.Key)
}

// ValidateGroup checks a group.
func ValidateGroup(g *runway.FlagGroup) error {
	var p problems
	if !validGroup.MatchString(g.Name) {
		p.add("name %q: use lowercase letters, digits, '_' and '-' (at most 63)", g.Name)
	}
	if len(g.Description) > MaxDescription {
		p.add("the description is longer than %d characters", MaxDescription)
	}
	if len(g.Keys) > MaxGroupKeys {
		p.add("%d targeting keys: at most %d", len(g.Keys), MaxGroupKeys)
	}
	if len(g.Keys) == 0 && len(g.Conditions) == 0 {
		p.add("list targeting keys or give conditions: an empty group holds nobody")
	}
	for _, k := range g.Keys {
		if k == "" {
			p.add("an empty targeting key")
			break
		}
	}
	p.conditions("conditions", g.Conditions, nil, false)
	return p.err("group " + g.Name)
}

// problems collects what is wrong with a definition, to say it all at once.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err(what string) error {
	if len(p) == 0 {
		return nil
	}
	return runway.Errorf(runway.EINVALID, "%s: %s", what, strings.Join(p, "; "))
}

// variants checks the variants and returns their names.
func (p *problems) variants(f *runway.Flag) []string {
	if len(f.Variants) == 0 || len(f.Variants) > MaxVariants {
		p.add("give between 1 and %d variants (the values the flag serves)", MaxVariants)
	}
	var names []string
	for _, v := range f.Variants {
		switch {
		case !validVariant.MatchString(v.Name):
			p.add("variant %q: use letters, digits, '.', '_' and '-' (at most 64)", v.Name)
		case slices.Contains(names, v.Name):
			p.add("variant %q is listed twice", v.Name)
		}
		names = append(names, v.Name)
		if msg := valueProblem(f.Type, v.Value); msg != "" {
			p.add("variant %q: %s", v.Name, msg)
		}
	}
	return names
}

// valueProblem says what is wrong with a variant's value for the type.
func valueProblem(t runway.FlagType, raw json.RawMessage) string {
	if len(raw) > MaxValueBytes {
		return fmt.Sprintf("the value is over %d bytes", MaxValueBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "the value is not JSON"
	}
	if _, err := dec.Token(); err != io.EOF {
		return "the value is more than one JSON value"
	}
	ok := false
	switch t {
	case runway.FlagBoolean:
		_, ok = v.(bool)
	case runway.FlagString:
		_, ok = v.(string)
	case runway.FlagNumber:
		if n, isNum := v.(json.Number); isNum {
			f, err := n.Float64()
			ok = err == nil && !math.IsInf(f, 0)
		}
	case runway.FlagObject:
		_, ok = v.(map[string]any)
	default:
		return ""
	}
	if !ok {
		return fmt.Sprintf("the value %s is not a %s", clip(string(raw)), t)
	}
	return ""
}

func (p *problems) serve(where string, s runway.FlagServe, names []string) {
	switch {
	case s.Variant != "" && len(s.Rollout) > 0:
		p.add("%s: serve a variant or a rollout, not both", where)
	case s.Variant != "":
		if !slices.Contains(names, s.Variant) {
			p.add("%s: serves variant %q, which the flag does not have", where, s.Variant)
		}
	case len(s.Rollout) > 0:
		total := 0
		var seen []string
		for _, w := range s.Rollout {
			if !slices.Contains(names, w.Variant) {
				p.add("%s: the rollout names variant %q, which the flag does not have", where, w.Variant)
			}
			if slices.Contains(seen, w.Variant) {
				p.add("%s: the rollout names variant %q twice", where, w.Variant)
			}
			if w.Weight < 0 || w.Weight > runway.Buckets {
				p.add("%s: weight %d of %q: use 0 to %d (hundredths of a percent)", where, w.Weight, w.Variant, runway.Buckets)
			}
			seen = append(seen, w.Variant)
			total += w.Weight
		}
		if total != runway.Buckets {
			p.add("%s: the rollout's weights add up to %d; they must add up to %d (100%%, in hundredths of a percent)", where, total, runway.Buckets)
		}
	default:
		p.add("%s: say what it serves (a variant or a rollout)", where)
	}
}

func (p *problems) conditions(where string, conds []runway.FlagCondition, groups []string, groupsAllowed bool) {
	if len(conds) > MaxConditions {
		p.add("%s: %d conditions: at most %d", where, len(conds), MaxConditions)
	}
	for i, c := range conds {
		at := fmt.Sprintf("%s, condition %d", where, i+1)
		if !slices.Contains(runway.FlagOps, c.Op) {
			p.add("%s: operator %q: use one of %v", at, c.Op, runway.FlagOps)
			continue
		}
		if len(c.Values) == 0 || len(c.Values) > MaxValues {
			p.add("%s: give between 1 and %d values", at, MaxValues)
			continue
		}
		group := c.Op == runway.OpInGroup || c.Op == runway.OpNotInGroup
		switch {
		case group && !groupsAllowed:
			p.add("%s: a group cannot be defined by other groups", at)
		case group && c.Attribute != "":
			p.add("%s: %s takes group names and no attribute", at, c.Op)
		case !group && !validAttr.MatchString(c.Attribute):
			p.add("%s: attribute %q: name a context attribute (such as targetingKey, email or country)", at, c.Attribute)
		}
		p.values(at, c, groups)
	}
}

func (p *problems) values(at string, c runway.FlagCondition, groups []string) {
	single := map[runway.FlagOp]bool{runway.OpEquals: true, runway.OpNotEquals: true, runway.OpLT: true, runway.OpLTE: true,
		runway.OpGT: true, runway.OpGTE: true, runway.OpSemverEq: true, runway.OpSemverLT: true, runway.OpSemverLTE: true,
		runway.OpSemverGT: true, runway.OpSemverGTE: true}
	if single[c.Op] && len(c.Values) != 1 {
		p.add("%s: %s compares with exactly one value", at, c.Op)
		return
	}
	for _, v := range c.Values {
		switch c.Op {
		case runway.OpLT, runway.OpLTE, runway.OpGT, runway.OpGTE:
			if n, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
				p.add("%s: %q is not a number", at, v)
			}
		case runway.OpSemverEq, runway.OpSemverLT, runway.OpSemverLTE, runway.OpSemverGT, runway.OpSemverGTE:
			if canonicalSemver(v) == "" {
				p.add("%s: %q is not a semantic version (like 1.4.2)", at, v)
			}
		case runway.OpInGroup, runway.OpNotInGroup:
			if groups != nil && !slices.Contains(groups, v) {
				p.add("%s: there is no group %q: create it first (runway flags groups)", at, v)
			}
		case runway.OpStartsWith, runway.OpEndsWith, runway.OpContains:
			if v == "" {
				p.add("%s: an empty value matches everything; remove the condition instead", at)
			}
		}
	}
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
