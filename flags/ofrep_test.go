package flags_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-feature/go-sdk-contrib/providers/ofrep"
	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
)

// fixture is a store with team web's app shop, the flag service, people in
// each role, and an OFREP server over the store.
type fixture struct {
	store  *sqlstore.DB
	svc    *flags.Service
	clock  *runwaytest.Clock
	people map[string]access.Principal
	server *httptest.Server
}

func newFixture(t testing.TB, o flags.HandlerOptions) *fixture {
	t.Helper()
	clock := runwaytest.NewClock()
	store, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: filepath.Join(t.TempDir(), "runway.db"), Now: clock.Now})
	must(t, err)
	t.Cleanup(func() { store.Close() })
	must(t, store.CreateTeam(runwaytest.Ctx, &runway.Team{Name: "web"}))
	must(t, store.CreateApp(runwaytest.Ctx, &runway.App{Name: "shop", Team: "web", Tier: 2}))
	must(t, store.CreateApp(runwaytest.Ctx, &runway.App{Name: "blog", Team: "web", Tier: 1}))
	fx := &fixture{store: store, clock: clock, people: principals(),
		svc: &flags.Service{Flags: store, Keys: store, Apps: store, Audit: store}}
	if o.Now == nil {
		o.Now = clock.Now
	}
	fx.server = httptest.NewServer(flags.NewHandler(store, store, o))
	t.Cleanup(fx.server.Close)
	return fx
}

// principals are one person per role; team roles are held for team web.
func principals() map[string]access.Principal {
	user := func(email string, grants ...runway.RoleGrant) access.Principal {
		return access.Principal{User: &runway.User{Email: email, Grants: grants}}
	}
	return map[string]access.Principal{
		"developer": user("dev@x", runway.RoleGrant{Role: runway.RoleDeveloper, Team: "web"}),
		"team-lead": user("lead@x", runway.RoleGrant{Role: runway.RoleTeamLead, Team: "web"}),
		"other-dev": user("other@x", runway.RoleGrant{Role: runway.RoleDeveloper, Team: "data"}),
		"security":  user("sec@x", runway.RoleGrant{Role: runway.RoleSecurity}),
		"platform":  user("plat@x", runway.RoleGrant{Role: runway.RolePlatform}),
		"admin":     user("admin@x", runway.RoleGrant{Role: runway.RoleAdmin}),
		"no role":   user("new@x"),
		"anonymous": {},
	}
}

// create makes a flag in env (and turns it on in production) as the
// team lead.
func (fx *fixture) create(t testing.TB, env runway.Environment, spec string) *runway.Flag {
	t.Helper()
	s, err := flags.ParseSpec([]byte(spec))
	must(t, err)
	lead := fx.people["team-lead"]
	fs, err := fx.svc.Create(runwaytest.Ctx, lead, "shop", []runway.Environment{env}, *s)
	must(t, err)
	f := fs[0]
	if env == runway.EnvProduction && (s.Enabled == nil || *s.Enabled) {
		f, err = fx.svc.SetEnabled(runwaytest.Ctx, lead, "shop", env, f.Key, true)
		must(t, err)
	}
	return f
}

func (fx *fixture) key(t testing.TB, app string, env runway.Environment) string {
	t.Helper()
	_, secret, err := fx.svc.CreateKey(runwaytest.Ctx, fx.people["team-lead"], app, env, "test")
	must(t, err)
	return secret
}

// client is an OpenFeature client on the real OFREP provider, talking to
// the fixture's server with a key.
func (fx *fixture) client(t *testing.T, opts ...ofrep.Option) *openfeature.Client {
	t.Helper()
	api := isolated.NewAPI()
	t.Cleanup(func() { api.Shutdown(context.Background()) })
	must(t, api.SetProviderAndWait(context.Background(), ofrep.NewProvider(fx.server.URL, opts...)))
	return api.NewClient()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const (
	checkoutSpec = `{"key": "new-checkout", "type": "boolean",
		"rules": [
			{"name": "staff", "conditions": [{"attribute": "email", "op": "ends_with", "values": ["@shop.example"]}], "serve": {"variant": "on"}},
			{"name": "beta", "conditions": [{"op": "in_group", "values": ["beta"]}], "serve": {"variant": "on"}},
			{"name": "old apps", "conditions": [{"attribute": "appVersion", "op": "semver_lt", "values": ["2.0.0"]}], "serve": {"variant": "off"}}
		],
		"default": {"rollout": [{"variant": "on", "weight": 2500}, {"variant": "off", "weight": 7500}]}}`
	bannerSpec = `{"key": "banner", "type": "string", "variants": [
			{"name": "plain", "value": "Welcome"}, {"name": "sale", "value": "50% off today"}],
		"off_variant": "plain", "default": {"variant": "sale"}}`
	limitSpec = `{"key": "upload-limit-mb", "type": "number", "variants": [
			{"name": "small", "value": 10}, {"name": "large", "value": 250}, {"name": "fractional", "value": 2.5}],
		"off_variant": "small",
		"rules": [{"conditions": [{"attribute": "plan", "op": "in", "values": ["pro", "team"]}], "serve": {"variant": "large"}},
			{"conditions": [{"attribute": "seats", "op": "gte", "values": ["1000"]}], "serve": {"variant": "fractional"}}],
		"default": {"variant": "small"}}`
	themeSpec = `{"key": "theme", "type": "object", "variants": [
			{"name": "classic", "value": {"color": "blue", "dense": false}},
			{"name": "dark", "value": {"color": "black", "dense": true, "radius": 4}}],
		"off_variant": "classic", "default": {"variant": "dark"}}`
)

func TestOFREPWithOpenFeatureSDK(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{CacheFor: -1})
	ctx := runwaytest.Ctx
	_, err := fx.svc.SaveGroup(ctx, fx.people["developer"], runway.FlagGroup{App: "shop", Name: "beta", Keys: []string{"beta-user"}})
	must(t, err)
	for _, spec := range []string{checkoutSpec, bannerSpec, limitSpec, themeSpec} {
		fx.create(t, runway.EnvProduction, spec)
	}
	client := fx.client(t, ofrep.WithBearerToken(fx.key(t, "shop", runway.EnvProduction)))
	ec := func(key string, attrs map[string]any) openfeature.EvaluationContext {
		return openfeature.NewEvaluationContext(key, attrs)
	}

	t.Run("boolean targeting", func(t *testing.T) {
		cases := []struct {
			name    string
			ec      openfeature.EvaluationContext
			want    bool
			reason  openfeature.Reason
			variant string
			rule    string
		}{
			{"staff by email", ec("u1", map[string]any{"email": "ana@shop.example"}), true, openfeature.TargetingMatchReason, "on", "staff"},
			{"group by key", ec("beta-user", nil), true, openfeature.TargetingMatchReason, "on", "beta"},
			{"old app version", ec("u2", map[string]any{"appVersion": "1.9.3"}), false, openfeature.TargetingMatchReason, "off", "old apps"},
			{"new app version falls to the rollout", ec("user-3", map[string]any{"appVersion": "v2.1.0"}), bucketOn("new-checkout", "user-3", 2500), openfeature.SplitReason, "", ""},
		}
		for _, c := range cases {
			d, err := client.BooleanValueDetails(ctx, "new-checkout", !c.want, c.ec)
			must(t, err)
			if d.Value != c.want || d.Reason != c.reason || (c.variant != "" && d.Variant != c.variant) {
				t.Errorf("%s: %v %s %s, want %v %s %s", c.name, d.Value, d.Reason, d.Variant, c.want, c.reason, c.variant)
			}
			if rule, _ := d.FlagMetadata.GetString("rule"); rule != c.rule {
				t.Errorf("%s: metadata rule %q, want %q", c.name, rule, c.rule)
			}
		}
	})

	t.Run("string", func(t *testing.T) {
		d, err := client.StringValueDetails(ctx, "banner", "code default", ec("", nil))
		must(t, err)
		if d.Value != "50% off today" || d.Variant != "sale" || d.Reason != openfeature.StaticReason {
			t.Errorf("banner: %+v", d)
		}
		if v, _ := d.FlagMetadata.GetFloat("version"); v != 2 {
			t.Errorf("metadata version %g, want 2 (created, then turned on)", v)
		}
	})

	t.Run("number as int and float", func(t *testing.T) {
		n, err := client.IntValueDetails(ctx, "upload-limit-mb", 1, ec("u", map[string]any{"plan": "pro"}))
		must(t, err)
		if n.Value != 250 || n.Reason != openfeature.TargetingMatchReason {
			t.Errorf("int: %+v", n)
		}
		f, err := client.FloatValueDetails(ctx, "upload-limit-mb", 1, ec("u", map[string]any{"seats": 5000}))
		must(t, err)
		if f.Value != 2.5 {
			t.Errorf("float: %+v", f)
		}
		d, err := client.IntValueDetails(ctx, "upload-limit-mb", 1, ec("u", map[string]any{"plan": "free"}))
		must(t, err)
		if d.Value != 10 || d.Reason != openfeature.DefaultReason {
			t.Errorf("no rule matched: %+v", d)
		}
	})

	t.Run("object", func(t *testing.T) {
		v, err := client.ObjectValue(ctx, "theme", nil, ec("u", nil))
		must(t, err)
		want := map[string]any{"color": "black", "dense": true, "radius": 4.0}
		if !cmp.Equal(v, want) {
			t.Errorf("object %v, want %v", v, want)
		}
	})

	t.Run("errors the SDK reports", func(t *testing.T) {
		d, err := client.BooleanValueDetails(ctx, "no-such-flag", true, ec("u", nil))
		if err == nil || !d.Value || d.ErrorCode != openfeature.FlagNotFoundCode || d.Reason != openfeature.ErrorReason {
			t.Errorf("missing flag: %+v, %v", d, err)
		}
		b, err := client.BooleanValueDetails(ctx, "banner", true, ec("u", nil))
		if err == nil || !b.Value || b.ErrorCode != openfeature.TypeMismatchCode {
			t.Errorf("a string flag asked as boolean: %+v, %v", b, err)
		}
		r, err := client.BooleanValueDetails(ctx, "new-checkout", true, ec("", nil))
		if err == nil || !r.Value || r.ErrorCode != openfeature.TargetingKeyMissingCode {
			t.Errorf("a rollout without a targeting key: %+v, %v", r, err)
		}
		i, err := client.IntValueDetails(ctx, "upload-limit-mb", 7, ec("u", map[string]any{"seats": 1000}))
		if err == nil || i.Value != 7 || i.ErrorCode != openfeature.TypeMismatchCode {
			t.Errorf("2.5 asked as an int: %+v, %v", i, err)
		}
	})

	t.Run("bad keys", func(t *testing.T) {
		for name, opt := range map[string]ofrep.Option{
			"no key":      ofrep.WithHeader("X-Other", "1"),
			"unknown key": ofrep.WithApiKeyAuth(runway.NewFlagKeySecret()),
			"api token":   ofrep.WithBearerToken(runway.NewTokenSecret()),
		} {
			d, err := fx.client(t, opt).BooleanValueDetails(ctx, "new-checkout", true, ec("u", nil))
			if err == nil || !d.Value || d.ErrorCode != openfeature.GeneralCode {
				t.Errorf("%s: %+v, %v", name, d, err)
			}
		}
	})
}

// bucketOn says whether key falls in the first weight buckets of seed.
func bucketOn(seed, key string, weight int) bool { return runway.Bucket(seed, key) < weight }

// TestOFREPRolloutDistribution evaluates a 25% rollout for 4,000 people
// through the SDK: about a quarter get it, each exactly as runway.Bucket
// says, and growing the rollout to 50% keeps everyone who had it.
func TestOFREPRolloutDistribution(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{CacheFor: -1})
	ctx := runwaytest.Ctx
	f := fx.create(t, runway.EnvStaging, `{"key": "new-search", "type": "boolean",
		"default": {"rollout": [{"variant": "on", "weight": 2500}, {"variant": "off", "weight": 7500}]}}`)
	client := fx.client(t, ofrep.WithApiKeyAuth(fx.key(t, "shop", runway.EnvStaging)))
	const n = 4000
	had := map[string]bool{}
	for i := range n {
		key := fmt.Sprintf("user-%d", i)
		d, err := client.BooleanValueDetails(ctx, "new-search", false, openfeature.NewEvaluationContext(key, nil))
		must(t, err)
		if d.Reason != openfeature.SplitReason || d.Value != bucketOn("new-search", key, 2500) {
			t.Fatalf("%s: %+v, bucket %d", key, d, runway.Bucket("new-search", key))
		}
		if d.Value {
			had[key] = true
		}
	}
	// Binomial(4000, 0.25): standard deviation about 27; 5 of them is 137.
	if share := float64(len(had)) / n; math.Abs(share-0.25) > 0.035 {
		t.Errorf("%d of %d (%.3f) got the 25%% rollout", len(had), n, share)
	}

	spec := flags.Spec{Key: f.Key, Default: runway.FlagServe{Rollout: []runway.FlagWeight{{Variant: "on", Weight: 5000}, {Variant: "off", Weight: 5000}}}}
	_, err := fx.svc.Update(ctx, fx.people["developer"], "shop", runway.EnvStaging, f.Key, f.Version, spec)
	must(t, err)
	now := 0
	for i := range n {
		key := fmt.Sprintf("user-%d", i)
		on, err := client.BooleanValue(ctx, "new-search", false, openfeature.NewEvaluationContext(key, nil))
		must(t, err)
		if had[key] && !on {
			t.Fatalf("%s had the flag at 25%% and lost it at 50%%", key)
		}
		if on {
			now++
		}
	}
	if share := float64(now) / n; math.Abs(share-0.5) > 0.04 {
		t.Errorf("%d of %d (%.3f) got the 50%% rollout", now, n, share)
	}
}

// TestOFREPKillSwitch: one call turns a flag off for everyone in the
// environment; apps get their code default (OFREP's DISABLED), other
// environments are untouched, and turning it on again restores it.
func TestOFREPKillSwitch(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{CacheFor: -1})
	ctx := runwaytest.Ctx
	fx.create(t, runway.EnvProduction, `{"key": "payments-v2", "type": "boolean", "default": {"variant": "on"}}`)
	fx.create(t, runway.EnvStaging, `{"key": "payments-v2", "type": "boolean", "default": {"variant": "on"}}`)
	prod := fx.client(t, ofrep.WithBearerToken(fx.key(t, "shop", runway.EnvProduction)))
	staging := fx.client(t, ofrep.WithBearerToken(fx.key(t, "shop", runway.EnvStaging)))
	everyone := func(c *openfeature.Client, want bool, reason openfeature.Reason) {
		t.Helper()
		for i := range 50 {
			d, err := c.BooleanValueDetails(ctx, "payments-v2", false, openfeature.NewEvaluationContext(fmt.Sprint("u", i), map[string]any{"email": "a@shop.example"}))
			must(t, err)
			if d.Value != want || d.Reason != reason {
				t.Fatalf("u%d: %v %s, want %v %s", i, d.Value, d.Reason, want, reason)
			}
		}
	}
	everyone(prod, true, openfeature.StaticReason)

	// Security may pull it, in production, without being on the team.
	killed, err := fx.svc.Kill(ctx, fx.people["security"], "shop", runway.EnvProduction, "payments-v2", "double charges")
	must(t, err)
	if killed.Enabled || killed.Kill == nil || killed.Kill.By != "user:sec@x" {
		t.Fatalf("killed: %+v", killed)
	}
	everyone(prod, false, openfeature.DisabledReason)
	everyone(staging, true, openfeature.StaticReason)
	d, err := prod.BooleanValueDetails(ctx, "payments-v2", true, openfeature.NewEvaluationContext("u", nil))
	must(t, err)
	if killed, _ := d.FlagMetadata.GetBool("killed"); !d.Value || !killed {
		t.Errorf("a killed flag gives the code default and says it was killed: %+v", d)
	}
	_, err = fx.svc.SetEnabled(ctx, fx.people["team-lead"], "shop", runway.EnvProduction, "payments-v2", true)
	must(t, err)
	everyone(prod, true, openfeature.StaticReason)

	h, err := fx.svc.History(ctx, fx.people["developer"], "shop", runway.EnvProduction, "payments-v2", runway.Page{})
	must(t, err)
	var actions []string
	for _, e := range h {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	want := []string{"flag.create by user:lead@x", "flag.update by user:lead@x", "flag.kill by user:sec@x", "flag.update by user:lead@x"}
	if !cmp.Equal(actions, want) {
		t.Errorf("history:\n%q\nwant\n%q", actions, want)
	}
}

// TestOFREPProtocol checks what the SDK does not show: status codes, error
// bodies, the bulk endpoint with its ETag, and keys scoped to one app and
// environment.
func TestOFREPProtocol(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{CacheFor: -1})
	_, err := fx.svc.SaveGroup(runwaytest.Ctx, fx.people["developer"], runway.FlagGroup{App: "shop", Name: "beta", Keys: []string{"beta-user"}})
	must(t, err)
	fx.create(t, runway.EnvStaging, checkoutSpec)
	fx.create(t, runway.EnvStaging, bannerSpec)
	fx.create(t, runway.EnvProduction, bannerSpec)
	staging := fx.key(t, "shop", runway.EnvStaging)
	blog := fx.key(t, "blog", runway.EnvStaging)

	type call struct {
		name, path, key, body string
		header                map[string]string
		status                int
		want                  string // a substring of the body
	}
	for _, c := range []call{
		{"single", "/banner", staging, `{"context": {"targetingKey": "u"}}`, nil, 200,
			`{"key":"banner","value":"50% off today","reason":"STATIC","variant":"sale","metadata":{"version":1}}`},
		{"no body", "/banner", staging, ``, nil, 200, `"value":"50% off today"`},
		{"not found", "/nope", staging, `{}`, nil, 404, `{"key":"nope","errorCode":"FLAG_NOT_FOUND"`},
		{"other app's flag", "/banner", blog, `{}`, nil, 404, `"errorCode":"FLAG_NOT_FOUND"`},
		{"not JSON", "/banner", staging, `{"context": `, nil, 400, `{"key":"banner","errorCode":"PARSE_ERROR"`},
		{"two objects", "/banner", staging, `{} {}`, nil, 400, `"errorCode":"PARSE_ERROR"`},
		{"context not an object", "/banner", staging, `{"context": [1]}`, nil, 400, `"errorCode":"INVALID_CONTEXT"`},
		{"targeting key not a string", "/banner", staging, `{"context": {"targetingKey": 7}}`, nil, 400, `"errorCode":"INVALID_CONTEXT"`},
		{"rollout without targeting key", "/new-checkout", staging, `{"context": {}}`, nil, 400, `"errorCode":"TARGETING_KEY_MISSING"`},
		{"huge body", "/banner", staging, `{"context": {"a": "` + strings.Repeat("x", 70<<10) + `"}}`, nil, 400, `over 65536 bytes`},
		{"no key", "/banner", "", `{}`, nil, 401, `Authorization: Bearer KEY`},
		{"revoked or unknown key", "/banner", runway.NewFlagKeySecret(), `{}`, nil, 401, `unknown or revoked flag key`},
		{"X-API-Key", "/banner", "", `{}`, map[string]string{"X-API-Key": staging}, 200, `"variant":"sale"`},
		{"bulk", "", staging, `{"context": {"targetingKey": "u1", "email": "ana@shop.example"}}`, nil, 200,
			`{"flags":[{"key":"banner","value":"50% off today","reason":"STATIC","variant":"sale","metadata":{"version":1}},` +
				`{"key":"new-checkout","value":true,"reason":"TARGETING_MATCH","variant":"on","metadata":{"rule":"staff","version":1}}]}`},
		{"bulk with a per-flag failure", "", staging, `{"context": {}}`, nil, 200,
			`{"key":"new-checkout","errorCode":"TARGETING_KEY_MISSING","errorDetails":`},
		{"bulk, bad context", "", staging, `{"context": "x"}`, nil, 400, `{"errorCode":"INVALID_CONTEXT"`},
	} {
		req, _ := http.NewRequest(http.MethodPost, fx.server.URL+"/ofrep/v1/evaluate/flags"+c.path, strings.NewReader(c.body))
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		status, _, body := do(t, req)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s\nwant %d with %s", c.name, status, clip(body), c.status, c.want)
		}
	}

	t.Run("bulk ETag and 304", func(t *testing.T) {
		bulk := func(etag, context string) (int, http.Header, string) {
			req, _ := http.NewRequest(http.MethodPost, fx.server.URL+"/ofrep/v1/evaluate/flags", strings.NewReader(context))
			req.Header.Set("Authorization", "Bearer "+staging)
			if etag != "" {
				req.Header.Set("If-None-Match", etag)
			}
			return do(t, req)
		}
		ctxA := `{"context": {"targetingKey": "u1"}}`
		status, h, body := bulk("", ctxA)
		etag := h.Get("ETag")
		if status != 200 || !strings.HasPrefix(etag, `"`) || body == "" {
			t.Fatalf("first poll: %d %q %s", status, etag, body)
		}
		if status, h, body := bulk(etag, ctxA); status != 304 || body != "" || h.Get("ETag") != etag {
			t.Errorf("unchanged: %d %q %q", status, h.Get("ETag"), body)
		}
		if status, _, _ := bulk(`"other", W/`+etag, ctxA); status != 304 {
			t.Errorf("a list holding the weak tag: %d", status)
		}
		if status, h, _ := bulk(etag, `{"context": {"targetingKey": "u1", "email": "ana@shop.example"}}`); status != 200 || h.Get("ETag") == etag {
			t.Errorf("another context: %d %q", status, h.Get("ETag"))
		}
		_, err := fx.svc.Kill(runwaytest.Ctx, fx.people["developer"], "shop", runway.EnvStaging, "banner", "typo")
		must(t, err)
		status, h, body = bulk(etag, ctxA)
		if status != 200 || h.Get("ETag") == etag || !strings.Contains(body, `"reason":"DISABLED","variant":"plain"`) {
			t.Errorf("after a kill: %d %q %s", status, h.Get("ETag"), clip(body))
		}
	})

	t.Run("configuration", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, fx.server.URL+"/ofrep/v1/configuration", nil)
		req.Header.Set("X-API-Key", staging)
		status, h, body := do(t, req)
		if status != 200 || h.Get("ETag") == "" || !strings.Contains(body, `"minPollingIntervalMs":1000`) {
			t.Errorf("configuration: %d %s", status, body)
		}
		req, _ = http.NewRequest(http.MethodGet, fx.server.URL+"/ofrep/v1/evaluate/flags", nil)
		if status, _, _ := do(t, req); status != http.StatusMethodNotAllowed {
			t.Errorf("GET bulk: %d", status)
		}
	})
}

// TestOFREPCache: within CacheFor the handler reuses what it read; after
// it, a change, a kill or a revoked key shows.
func TestOFREPCache(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{CacheFor: 5 * time.Second})
	fx.create(t, runway.EnvStaging, bannerSpec)
	secret := fx.key(t, "shop", runway.EnvStaging)
	eval := func() (int, string) {
		req, _ := http.NewRequest(http.MethodPost, fx.server.URL+"/ofrep/v1/evaluate/flags/banner", nil)
		req.Header.Set("X-API-Key", secret)
		status, _, body := do(t, req)
		return status, body
	}
	if _, body := eval(); !strings.Contains(body, `"variant":"sale"`) {
		t.Fatal(body)
	}
	_, err := fx.svc.Kill(runwaytest.Ctx, fx.people["developer"], "shop", runway.EnvStaging, "banner", "wrong price")
	must(t, err)
	keys, err := fx.svc.ListKeys(runwaytest.Ctx, fx.people["developer"], "shop")
	must(t, err)
	must(t, fx.svc.RevokeKey(runwaytest.Ctx, fx.people["developer"], "shop", keys[0].ID))
	if _, body := eval(); !strings.Contains(body, `"variant":"sale"`) {
		t.Errorf("within the cache time: %s", body)
	}
	fx.clock.Advance(5 * time.Second)
	if status, body := eval(); status != 401 {
		t.Errorf("after the cache time, a revoked key: %d %s", status, body)
	}
}

func do(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	if resp.StatusCode != 304 && resp.Header.Get("Content-Type") != "application/json" && resp.StatusCode != 405 {
		t.Errorf("%s %s: Content-Type %q", req.Method, req.URL.Path, resp.Header.Get("Content-Type"))
	}
	if resp.StatusCode == 200 && !json.Valid(b) {
		t.Errorf("%s: not JSON: %s", req.URL.Path, b)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// TestOFREPConcurrent: many apps' requests at once while the cache
// expires all the time and the flag is killed half-way (run with -race).
func TestOFREPConcurrent(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{CacheFor: time.Microsecond, Now: time.Now})
	fx.create(t, runway.EnvStaging, bannerSpec)
	key := fx.key(t, "shop", runway.EnvStaging)
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 40 {
				path := "/ofrep/v1/evaluate/flags"
				if i%2 == 0 {
					path += "/banner"
				}
				req, _ := http.NewRequest(http.MethodPost, fx.server.URL+path, strings.NewReader(fmt.Sprintf(`{"context": {"targetingKey": "u%d-%d"}}`, g, i)))
				req.Header.Set("X-API-Key", key)
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("%s: %d", path, resp.StatusCode)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	_, err := fx.svc.Kill(runwaytest.Ctx, fx.people["developer"], "shop", runway.EnvStaging, "banner", "load test")
	must(t, err)
	for range 8 {
		must(t, <-errs)
	}
}
