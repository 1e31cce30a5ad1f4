package flags_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/runwaytest"
)

// benchContext is a typical context: a user with a handful of attributes.
const benchContext = `{"context": {"targetingKey": "user-48151623", "email": "ana@example.com", "country": "NL",
	"plan": "pro", "seats": 120, "appVersion": "2.4.1", "roles": ["viewer", "editor"]}}`

// benchFlags are 50 flags like an app's: each has three rules (an email
// suffix, a group, a version range) and a percentage rollout.
func benchFlags() ([]*runway.Flag, []*runway.FlagGroup) {
	var fs []*runway.Flag
	for i := range 50 {
		s, err := flags.ParseSpec(fmt.Appendf(nil, `{"key": "flag-%02d", "type": "boolean",
			"rules": [
				{"name": "staff", "conditions": [{"attribute": "email", "op": "ends_with", "values": ["@shop.example"]}], "serve": {"variant": "on"}},
				{"name": "beta", "conditions": [{"op": "in_group", "values": ["beta"]}], "serve": {"variant": "on"}},
				{"name": "old", "conditions": [{"attribute": "appVersion", "op": "semver_lt", "values": ["2.0.0"]}, {"attribute": "country", "op": "in", "values": ["DE", "FR"]}], "serve": {"variant": "off"}}
			],
			"default": {"rollout": [{"variant": "on", "weight": %d}, {"variant": "off", "weight": %d}]}}`, i, i*200, 10000-i*200))
		if err != nil {
			panic(err)
		}
		f := s.Flag()
		f.Version = 1
		fs = append(fs, f)
	}
	return fs, []*runway.FlagGroup{{Name: "beta", Keys: []string{"u1", "u2", "u3"}, Conditions: []runway.FlagCondition{{Attribute: "plan", Op: runway.OpEquals, Values: []string{"beta"}}}}}
}

// BenchmarkEvaluate is one flag (three rules that do not match, then a
// rollout) for a parsed context: the evaluation itself.
func BenchmarkEvaluate(b *testing.B) {
	fs, gs := benchFlags()
	snap := flags.NewSnapshot(fs, gs)
	c := ctxOf(b, strings.TrimSuffix(strings.TrimPrefix(benchContext, `{"context": `), "}"))
	b.ReportAllocs()
	for b.Loop() {
		if e := snap.Evaluate("flag-25", c); e.Reason != flags.ReasonSplit {
			b.Fatal(e)
		}
	}
}

// BenchmarkParseRequest reads a typical request body.
func BenchmarkParseRequest(b *testing.B) {
	body := []byte(benchContext)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := flags.ParseRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateBulk50 evaluates 50 flags for a context and encodes
// the bulk response, as the bulk endpoint does after authentication.
func BenchmarkEvaluateBulk50(b *testing.B) {
	fs, gs := benchFlags()
	snap := flags.NewSnapshot(fs, gs)
	body := []byte(benchContext)
	b.ReportAllocs()
	for b.Loop() {
		c, perr := flags.ParseRequest(body)
		if perr != nil {
			b.Fatal(perr)
		}
		if _, err := flags.EncodeBulk(snap.EvaluateAll(c)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOFREPBulk50 is a whole bulk request through the handler over
// SQLite, with the default one-second cache: authentication, body,
// evaluation of 50 flags, ETag.
func BenchmarkOFREPBulk50(b *testing.B) {
	h, key := benchHandler(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/ofrep/v1/evaluate/flags", strings.NewReader(benchContext))
		req.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body)
		}
	}
}

// BenchmarkOFREPSingle is one flag's request through the handler.
func BenchmarkOFREPSingle(b *testing.B) {
	h, key := benchHandler(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/ofrep/v1/evaluate/flags/flag-25", strings.NewReader(benchContext))
		req.Header.Set("X-API-Key", key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body)
		}
	}
}

func benchHandler(b *testing.B) (http.Handler, string) {
	fx := newFixture(b, flags.HandlerOptions{})
	fs, gs := benchFlags()
	for _, g := range gs {
		g.App = "shop"
		_, err := fx.svc.SaveGroup(runwaytest.Ctx, fx.people["team-lead"], *g)
		must(b, err)
	}
	for _, f := range fs {
		f.App, f.Environment = "shop", runway.EnvProduction
	}
	must(b, fx.store.CreateFlags(runwaytest.Ctx, fs...))
	// A real clock: the cache expires every second, as in production.
	return flags.NewHandler(fx.store, fx.store, flags.HandlerOptions{}), fx.key(b, "shop", runway.EnvProduction)
}
