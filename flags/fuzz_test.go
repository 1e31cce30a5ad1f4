package flags_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
)

// FuzzParseRequest: any body either fails with one of OFREP's request
// error codes or gives a context that survives a round trip through JSON
// and evaluates without panicking. Seeds are also in testdata/fuzz.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"context": null}`, `{"context": {"targetingKey": "u1", "email": "a@b.c", "n": 1.5, "l": [1, "x"], "o": {"a": null}}}`,
		`{"context": {"targetingKey": 7}}`, `{"context": []}`, `[`, `{"context": {}} {}`, `{"context": {"targetingKey": "\u00e9\ud83d\ude00"}}`} {
		f.Add([]byte(s))
	}
	snap := fuzzSnapshot(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := flags.ParseRequest(body)
		if err != nil {
			if err.Code != flags.ErrParse && err.Code != flags.ErrInvalidContext {
				t.Fatalf("error code %s for %q", err.Code, body)
			}
			return
		}
		raw, merr := json.Marshal(map[string]any{"context": c})
		if merr != nil {
			t.Fatalf("marshal %+v: %v", c, merr)
		}
		again, perr := flags.ParseRequest(raw)
		if perr != nil || again.TargetingKey != c.TargetingKey || len(again.Attributes) != len(c.Attributes) {
			t.Fatalf("round trip of %q: %+v, %v; was %+v", body, again, perr, c)
		}
		for _, key := range snap.Keys() {
			e := snap.Evaluate(key, c)
			if !e.Failed() && !json.Valid(e.Value) {
				t.Fatalf("%s: value %q", key, e.Value)
			}
		}
	})
}

// FuzzParseSpec: any definition either is refused as invalid or is a flag
// that evaluates, for any context, to one of its own variants or to a
// targeting-key failure.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{checkoutSpec, bannerSpec, limitSpec, themeSpec, `{"key": "a", "type": "boolean"}`,
		`{"key": "a", "type": "boolean", "rules": [{"conditions": [{"attribute": "v", "op": "semver_gte", "values": ["1.2"]}], "serve": {"rollout": [{"variant": "on", "weight": 1}, {"variant": "off", "weight": 9999}]}}]}`,
		`{"key": "a", "type": "number", "variants": [{"name": "n", "value": 1e308}], "off_variant": "n", "default": {"variant": "n"}}`} {
		f.Add([]byte(s), "u1", `{"email": "a@shop.example", "v": "1.3.0", "plan": "pro", "seats": 2000}`)
	}
	groups := []*runway.FlagGroup{{Name: "beta", Keys: []string{"u1"}}}
	f.Fuzz(func(t *testing.T, spec []byte, targetingKey, attrs string) {
		s, err := flags.ParseSpec(spec)
		if err != nil {
			if runway.ErrorCode(err) != runway.EINVALID {
				t.Fatalf("error code %s: %v", runway.ErrorCode(err), err)
			}
			return
		}
		fl := s.Flag()
		snap := flags.NewSnapshot([]*runway.Flag{fl}, groups)
		c, perr := flags.ParseRequest([]byte(`{"context": ` + attrs + `}`))
		if perr != nil {
			c = flags.Context{}
		}
		c.TargetingKey = targetingKey
		e := snap.Evaluate(fl.Key, c)
		if e.Failed() {
			if e.ErrorCode != flags.ErrTargetingKeyMissing || targetingKey != "" {
				t.Fatalf("a valid flag failed: %+v", e)
			}
			return
		}
		if !slices.ContainsFunc(fl.Variants, func(v runway.FlagVariant) bool { return v.Name == e.Variant }) {
			t.Fatalf("served %q, not one of the flag's variants", e.Variant)
		}
	})
}

func fuzzSnapshot(tb testing.TB) *flags.Snapshot {
	var fs []*runway.Flag
	for _, spec := range []string{checkoutSpec, bannerSpec, limitSpec, themeSpec} {
		s, err := flags.ParseSpec([]byte(spec))
		must(tb, err)
		fs = append(fs, s.Flag())
	}
	return flags.NewSnapshot(fs, []*runway.FlagGroup{{Name: "beta", Keys: []string{"u1"},
		Conditions: []runway.FlagCondition{{Attribute: "plan", Op: runway.OpIn, Values: []string{"beta"}}}}})
}
