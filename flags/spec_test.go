package flags_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
)

func TestParseSpecDefaults(t *testing.T) {
	t.Parallel()
	s, err := flags.ParseSpec([]byte(`{"key": "dark-mode", "type": "boolean"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Variants) != 2 || s.OffVariant != "off" || s.Default.Variant != "on" || s.Enabled != nil {
		t.Errorf("a boolean flag's defaults: %+v", s)
	}
}

// TestParseSpecProblems: every problem of a definition is named, in plain
// words, at once.
func TestParseSpecProblems(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		spec string
		want []string
	}{
		"not JSON":       {`{"key": `, []string{"not valid JSON of a flag"}},
		"unknown field":  {`{"key": "a", "type": "boolean", "variant": "on"}`, []string{`unknown field "variant"`}},
		"two flags":      {`{"key": "a", "type": "boolean"} {}`, []string{"one flag per file"}},
		"bad key":        {`{"key": "1 flag", "type": "boolean"}`, []string{`key "1 flag": start with a letter`}},
		"bad type":       {`{"key": "a", "type": "json"}`, []string{`type "json": use one of [boolean string number object]`}},
		"no variants":    {`{"key": "a", "type": "string", "default": {"variant": "x"}}`, []string{"give between 1 and 50 variants", `off_variant "": name one of the variants`, `serves variant "x", which the flag does not have`}},
		"wrong value":    {`{"key": "a", "type": "number", "variants": [{"name": "n", "value": "7"}, {"name": "o", "value": {}}], "off_variant": "n", "default": {"variant": "n"}}`, []string{`variant "n": the value "7" is not a number`, `variant "o": the value {} is not a number`}},
		"object value":   {`{"key": "a", "type": "object", "variants": [{"name": "n", "value": [1]}], "off_variant": "n", "default": {"variant": "n"}}`, []string{`the value [1] is not a object`}},
		"missing value":  {`{"key": "a", "type": "string", "variants": [{"name": "n"}], "off_variant": "n", "default": {"variant": "n"}}`, []string{`variant "n": the value is not JSON`}},
		"twice":          {`{"key": "a", "type": "boolean", "variants": [{"name": "x", "value": true}, {"name": "x", "value": false}]}`, []string{`variant "x" is listed twice`}},
		"weights":        {`{"key": "a", "type": "boolean", "default": {"rollout": [{"variant": "on", "weight": 60}, {"variant": "on", "weight": 30}]}}`, []string{`names variant "on" twice`, "add up to 90; they must add up to 10000"}},
		"negative":       {`{"key": "a", "type": "boolean", "default": {"rollout": [{"variant": "on", "weight": -1}, {"variant": "off", "weight": 10001}]}}`, []string{"weight -1", "weight 10001"}},
		"both":           {`{"key": "a", "type": "boolean", "default": {"variant": "on", "rollout": [{"variant": "on", "weight": 10000}]}}`, []string{"a variant or a rollout, not both"}},
		"rule nothing":   {`{"key": "a", "type": "boolean", "rules": [{"name": "x", "conditions": [], "serve": {}}]}`, []string{"rule 1 (x): give at least one condition", "rule 1 (x): say what it serves"}},
		"bad op":         {`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"attribute": "a", "op": "like", "values": ["x"]}], "serve": {"variant": "on"}}]}`, []string{`rule 1, condition 1: operator "like"`}},
		"no values":      {`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"attribute": "a", "op": "in", "values": []}], "serve": {"variant": "on"}}]}`, []string{"give between 1 and 1000 values"}},
		"bad number":     {`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"attribute": "a", "op": "gt", "values": ["ten"]}], "serve": {"variant": "on"}}]}`, []string{`"ten" is not a number`}},
		"two to compare": {`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"attribute": "a", "op": "semver_lt", "values": ["1", "2"]}], "serve": {"variant": "on"}}]}`, []string{"semver_lt compares with exactly one value"}},
		"bad version":    {`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"attribute": "a", "op": "semver_gte", "values": ["latest"]}], "serve": {"variant": "on"}}]}`, []string{`"latest" is not a semantic version`}},
		"no attribute":   {`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"op": "equals", "values": ["x"]}], "serve": {"variant": "on"}}]}`, []string{`attribute "": name a context attribute`}},
		"group attr":     {`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"attribute": "x", "op": "in_group", "values": ["g"]}], "serve": {"variant": "on"}}]}`, []string{"in_group takes group names and no attribute"}},
		"empty prefix":   {`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"attribute": "x", "op": "starts_with", "values": [""]}], "serve": {"variant": "on"}}]}`, []string{"an empty value matches everything"}},
	}
	for name, c := range cases {
		_, err := flags.ParseSpec([]byte(c.spec))
		if runway.ErrorCode(err) != runway.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q\nshould say %q", name, err, w)
			}
		}
	}
}

func TestValidateGroups(t *testing.T) {
	t.Parallel()
	f := boolFlag("a")
	f.Rules = []runway.FlagRule{{Conditions: []runway.FlagCondition{{Op: runway.OpInGroup, Values: []string{"beta"}}}, Serve: runway.FlagServe{Variant: "on"}}}
	if err := flags.Validate(f, []string{"staff"}); err == nil || !strings.Contains(err.Error(), `there is no group "beta"`) {
		t.Errorf("a rule naming a missing group: %v", err)
	}
	if err := flags.Validate(f, nil); err != nil {
		t.Errorf("without the group list: %v", err)
	}
	cases := map[string]struct {
		g    runway.FlagGroup
		want string
	}{
		"bad name":   {runway.FlagGroup{Name: "Beta Testers", Keys: []string{"u"}}, `name "Beta Testers"`},
		"empty":      {runway.FlagGroup{Name: "beta"}, "an empty group holds nobody"},
		"empty key":  {runway.FlagGroup{Name: "beta", Keys: []string{""}}, "an empty targeting key"},
		"of groups":  {runway.FlagGroup{Name: "beta", Conditions: []runway.FlagCondition{{Op: runway.OpInGroup, Values: []string{"x"}}}}, "a group cannot be defined by other groups"},
		"bad number": {runway.FlagGroup{Name: "beta", Conditions: []runway.FlagCondition{{Attribute: "n", Op: runway.OpLT, Values: []string{"NaN"}}}}, `"NaN" is not a number`},
	}
	for name, c := range cases {
		if err := flags.ValidateGroup(&c.g); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	ok := runway.FlagGroup{Name: "beta", Keys: []string{"u1"}, Conditions: []runway.FlagCondition{{Attribute: "plan", Op: runway.OpIn, Values: []string{"beta"}}}}
	if err := flags.ValidateGroup(&ok); err != nil {
		t.Error(err)
	}
}

func TestParseRequest(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		body string
		code flags.ErrorCode
		key  string
		n    int
	}{
		"empty":             {``, "", "", 0},
		"blank":             {" \n", "", "", 0},
		"no context":        {`{}`, "", "", 0},
		"null context":      {`{"context": null}`, "", "", 0},
		"context":           {`{"context": {"targetingKey": "u1", "a": 1, "b": [true]}}`, "", "u1", 2},
		"null targetingKey": {`{"context": {"targetingKey": null}}`, "", "", 0},
		"other fields":      {`{"context": {}, "flags": ["x"]}`, "", "", 0},
		"not JSON":          {`context=1`, flags.ErrParse, "", 0},
		"an array":          {`[]`, flags.ErrParse, "", 0},
		"trailing":          {`{} x`, flags.ErrParse, "", 0},
		"context string":    {`{"context": "u1"}`, flags.ErrInvalidContext, "", 0},
		"key number":        {`{"context": {"targetingKey": 1}}`, flags.ErrInvalidContext, "", 0},
		"too many":          {`{"context": {` + manyAttrs(1001) + `}}`, flags.ErrInvalidContext, "", 0},
	}
	for name, c := range cases {
		ctx, err := flags.ParseRequest([]byte(c.body))
		var code flags.ErrorCode
		if err != nil {
			code = err.Code
		}
		if code != c.code || ctx.TargetingKey != c.key || len(ctx.Attributes) != c.n {
			t.Errorf("%s: %+v %v, want code %q key %q %d attributes", name, ctx, err, c.code, c.key, c.n)
		}
	}
}

func manyAttrs(n int) string {
	attrs := make([]string, n)
	for i := range attrs {
		attrs[i] = fmt.Sprintf(`"a%d": 1`, i)
	}
	return strings.Join(attrs, ",")
}
