package flags_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
)

// ctxOf builds a context the way ParseRequest does (numbers as
// json.Number).
func ctxOf(t testing.TB, js string) flags.Context {
	t.Helper()
	c, err := flags.ParseRequest([]byte(`{"context": ` + js + `}`))
	if err != nil {
		t.Fatalf("context %s: %v", js, err)
	}
	return c
}

// TestConditions is every operator against matching, non-matching, list
// and missing attributes.
func TestConditions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		attr   string
		op     runway.FlagOp
		values []string
		ctx    string
		want   bool
	}{
		{"country", runway.OpEquals, []string{"NL"}, `{"country": "NL"}`, true},
		{"country", runway.OpEquals, []string{"NL"}, `{"country": "nl"}`, false},
		{"country", runway.OpEquals, []string{"NL"}, `{}`, false},
		{"country", runway.OpEquals, []string{"NL"}, `{"country": null}`, false},
		{"seats", runway.OpEquals, []string{"42"}, `{"seats": 42}`, true},
		{"beta", runway.OpEquals, []string{"true"}, `{"beta": true}`, true},
		{"roles", runway.OpEquals, []string{"admin"}, `{"roles": ["viewer", "admin"]}`, true},
		{"country", runway.OpNotEquals, []string{"NL"}, `{"country": "BE"}`, true},
		{"country", runway.OpNotEquals, []string{"NL"}, `{"country": "NL"}`, false},
		{"country", runway.OpNotEquals, []string{"NL"}, `{}`, true},
		{"country", runway.OpIn, []string{"NL", "BE"}, `{"country": "BE"}`, true},
		{"country", runway.OpIn, []string{"NL", "BE"}, `{"country": "FR"}`, false},
		{"country", runway.OpNotIn, []string{"NL", "BE"}, `{"country": "FR"}`, true},
		{"country", runway.OpNotIn, []string{"NL", "BE"}, `{}`, true},
		{"roles", runway.OpNotIn, []string{"admin"}, `{"roles": ["viewer", "admin"]}`, false},
		{"country", runway.OpIn, []string{"NL"}, `{"country": {"code": "NL"}}`, false},
		{"email", runway.OpEndsWith, []string{"@shop.example"}, `{"email": "ana@shop.example"}`, true},
		{"email", runway.OpEndsWith, []string{"@shop.example"}, `{"email": "ana@shop.example.com"}`, false},
		{"path", runway.OpStartsWith, []string{"/admin", "/ops"}, `{"path": "/ops/x"}`, true},
		{"path", runway.OpStartsWith, []string{"/admin"}, `{"path": "/home"}`, false},
		{"agent", runway.OpContains, []string{"Firefox"}, `{"agent": "Mozilla Firefox 130"}`, true},
		{"agent", runway.OpContains, []string{"Firefox"}, `{"agent": 7}`, false},
		{"seats", runway.OpLT, []string{"10"}, `{"seats": 9.5}`, true},
		{"seats", runway.OpLT, []string{"10"}, `{"seats": 10}`, false},
		{"seats", runway.OpLTE, []string{"10"}, `{"seats": 10}`, true},
		{"seats", runway.OpGT, []string{"10"}, `{"seats": "11"}`, true},
		{"seats", runway.OpGT, []string{"10"}, `{"seats": "many"}`, false},
		{"seats", runway.OpGTE, []string{"1e3"}, `{"seats": 1000}`, true},
		{"seats", runway.OpGTE, []string{"10"}, `{"seats": true}`, false},
		{"version", runway.OpSemverEq, []string{"1.4"}, `{"version": "v1.4.0"}`, true},
		{"version", runway.OpSemverLT, []string{"2.0.0"}, `{"version": "1.10.3"}`, true},
		{"version", runway.OpSemverLT, []string{"2.0.0"}, `{"version": "2.0.0-beta.1"}`, true},
		{"version", runway.OpSemverLT, []string{"2.0.0"}, `{"version": "10.0.0"}`, false},
		{"version", runway.OpSemverLTE, []string{"2.0.0"}, `{"version": "2.0.0+build.7"}`, true},
		{"version", runway.OpSemverGT, []string{"2.0.0"}, `{"version": "2.0.1"}`, true},
		{"version", runway.OpSemverGTE, []string{"2.0.0"}, `{"version": "not a version"}`, false},
		{"version", runway.OpSemverGTE, []string{"2.0.0"}, `{"version": 3}`, false},
		{"targetingKey", runway.OpIn, []string{"u1"}, `{"targetingKey": "u1"}`, true},
		{"", runway.OpInGroup, []string{"staff"}, `{"targetingKey": "u1"}`, true},
		{"", runway.OpInGroup, []string{"staff"}, `{"targetingKey": "u9", "plan": "enterprise", "seats": 600}`, true},
		{"", runway.OpInGroup, []string{"staff"}, `{"targetingKey": "u9", "plan": "enterprise", "seats": 6}`, false},
		{"", runway.OpInGroup, []string{"missing", "staff"}, `{"targetingKey": "u2"}`, true},
		{"", runway.OpNotInGroup, []string{"staff"}, `{"targetingKey": "u3"}`, true},
		{"", runway.OpNotInGroup, []string{"staff"}, `{"targetingKey": "u1"}`, false},
		{"", runway.OpInGroup, []string{"staff"}, `{}`, false},
	}
	groups := []*runway.FlagGroup{{Name: "staff", Keys: []string{"u1", "u2"}, Conditions: []runway.FlagCondition{
		{Attribute: "plan", Op: runway.OpEquals, Values: []string{"enterprise"}},
		{Attribute: "seats", Op: runway.OpGT, Values: []string{"500"}},
	}}}
	covered := map[runway.FlagOp]bool{}
	for i, c := range cases {
		f := boolFlag("f")
		f.Rules = []runway.FlagRule{{Conditions: []runway.FlagCondition{{Attribute: c.attr, Op: c.op, Values: c.values}}, Serve: runway.FlagServe{Variant: "on"}}}
		f.Default = runway.FlagServe{Variant: "off"}
		if err := flags.Validate(f, []string{"staff", "missing"}); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		e := flags.NewSnapshot([]*runway.Flag{f}, groups).Evaluate("f", ctxOf(t, c.ctx))
		if got := e.Variant == "on"; got != c.want {
			t.Errorf("%s %s %v on %s: matched=%t, want %t", c.attr, c.op, c.values, c.ctx, got, c.want)
		}
		covered[c.op] = true
	}
	for _, op := range runway.FlagOps {
		if !covered[op] {
			t.Errorf("operator %s has no case", op)
		}
	}
}

func boolFlag(key string) *runway.Flag {
	return &runway.Flag{Key: key, Type: runway.FlagBoolean, Enabled: true, Version: 3,
		Variants:   []runway.FlagVariant{{Name: "on", Value: json.RawMessage(`true`)}, {Name: "off", Value: json.RawMessage(`false`)}},
		OffVariant: "off", Default: runway.FlagServe{Variant: "on"}}
}

// TestReasons: what each path through a flag reports.
func TestReasons(t *testing.T) {
	t.Parallel()
	static := boolFlag("static")
	off := boolFlag("off")
	off.Enabled = false
	killed := boolFlag("killed")
	killed.Enabled, killed.Kill = false, &runway.FlagKill{By: "user:x", Reason: "why"}
	targeted := boolFlag("targeted")
	targeted.Rules = []runway.FlagRule{{Name: "nl", Conditions: []runway.FlagCondition{{Attribute: "country", Op: runway.OpEquals, Values: []string{"NL"}}}, Serve: runway.FlagServe{Variant: "on"}}}
	targeted.Default = runway.FlagServe{Variant: "off"}
	split := boolFlag("split")
	split.Default = runway.FlagServe{Rollout: []runway.FlagWeight{{Variant: "on", Weight: 5000}, {Variant: "off", Weight: 5000}}}
	ruleSplit := boolFlag("rule-split")
	ruleSplit.Rules = []runway.FlagRule{{Conditions: []runway.FlagCondition{{Attribute: "country", Op: runway.OpEquals, Values: []string{"NL"}}},
		Serve: runway.FlagServe{Rollout: []runway.FlagWeight{{Variant: "on", Weight: 10000}, {Variant: "off", Weight: 0}}}}}
	snap := flags.NewSnapshot([]*runway.Flag{static, off, killed, targeted, split, ruleSplit}, nil)
	cases := []struct {
		key, ctx string
		reason   flags.Reason
		variant  string
		metadata string
		code     flags.ErrorCode
	}{
		{"static", `{}`, flags.ReasonStatic, "on", `{"version":3}`, ""},
		{"off", `{}`, flags.ReasonDisabled, "off", `{"version":3}`, ""},
		{"killed", `{}`, flags.ReasonDisabled, "off", `{"killed":true,"version":3}`, ""},
		{"targeted", `{"country": "NL"}`, flags.ReasonTargetingMatch, "on", `{"rule":"nl","version":3}`, ""},
		{"targeted", `{"country": "BE"}`, flags.ReasonDefault, "off", `{"version":3}`, ""},
		{"split", `{"targetingKey": "u1"}`, flags.ReasonSplit, "", "", ""},
		{"split", `{}`, flags.ReasonError, "", "", flags.ErrTargetingKeyMissing},
		{"rule-split", `{"targetingKey": "u1", "country": "NL"}`, flags.ReasonSplit, "on", fmt.Sprintf(`{"bucket":%d,"rule":"rule 1","version":3}`, runway.Bucket("rule-split", "u1")), ""},
		{"rule-split", `{"country": "NL"}`, flags.ReasonError, "", "", flags.ErrTargetingKeyMissing},
		{"absent", `{}`, flags.ReasonError, "", "", flags.ErrFlagNotFound},
	}
	for _, c := range cases {
		e := snap.Evaluate(c.key, ctxOf(t, c.ctx))
		md, _ := json.Marshal(e.Metadata)
		if e.Reason != c.reason || (c.variant != "" && e.Variant != c.variant) || e.ErrorCode != c.code || (c.metadata != "" && string(md) != c.metadata) {
			t.Errorf("%s with %s: %s %s %s %s, want %s %s %s %s", c.key, c.ctx, e.Reason, e.Variant, md, e.ErrorCode, c.reason, c.variant, c.metadata, c.code)
		}
	}
}

// TestRolloutBuckets: the variant is the one whose range of buckets holds
// runway.Bucket(seed, targetingKey), with the flag's key as the seed
// unless it has a salt, over many keys.
func TestRolloutBuckets(t *testing.T) {
	t.Parallel()
	f := boolFlag("search")
	f.Variants = append(f.Variants, runway.FlagVariant{Name: "maybe", Value: json.RawMessage(`true`)})
	f.Default = runway.FlagServe{Rollout: []runway.FlagWeight{{Variant: "on", Weight: 1}, {Variant: "maybe", Weight: 3332}, {Variant: "off", Weight: 6667}}}
	salted := *f
	salted.Key, salted.Salt = "salted", "search"
	snap := flags.NewSnapshot([]*runway.Flag{f, &salted}, nil)
	counts := map[string]int{}
	for i := range 30000 {
		key := fmt.Sprint("k", i)
		b := runway.Bucket("search", key)
		want := "off"
		switch {
		case b < 1:
			want = "on"
		case b < 3333:
			want = "maybe"
		}
		e := snap.Evaluate("search", flags.Context{TargetingKey: key})
		if e.Variant != want || e.Metadata["bucket"] != b {
			t.Fatalf("%s in bucket %d got %s, want %s", key, b, e.Variant, want)
		}
		if s := snap.Evaluate("salted", flags.Context{TargetingKey: key}); s.Variant != want {
			t.Fatalf("salted: %s got %s, want %s (the salt is the seed)", key, s.Variant, want)
		}
		counts[want]++
	}
	// A third of 30,000 is 10,000, with a standard deviation of about 82.
	if counts["maybe"] < 9600 || counts["maybe"] > 10400 {
		t.Errorf("33.32%% of 30,000 keys: %d", counts["maybe"])
	}
}
