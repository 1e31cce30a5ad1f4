package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
)

func TestSetListDelete(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, f *fixture) {
		first := f.set(t, "payroll", "", "SLACK_BOT_TOKEN", "xoxb-all\n")
		second := f.set(t, "payroll", "", "SLACK_BOT_TOKEN", "xoxb-all-2")
		f.set(t, "payroll", runway.EnvProduction, "SLACK_BOT_TOKEN", "xoxb-prod")
		f.set(t, "payroll", runway.EnvStaging, "STRIPE_API_KEY", "sk_test_1")
		if first.Version != 1 || second.Version != 2 || second.UpdatedBy != "user:ana@example.com" || !second.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("versions: first %+v, second %+v", first, second)
		}
		list, err := f.svc.List(ctx, "payroll")
		must(t, err)
		var got []string
		for _, i := range list {
			got = append(got, i.SecretRef.String()+"@"+string(rune('0'+i.Version)))
		}
		want := []string{"payroll/*/SLACK_BOT_TOKEN@2", "payroll/production/SLACK_BOT_TOKEN@1", "payroll/staging/STRIPE_API_KEY@1"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("List (-want +got):\n%s", diff)
		}
		if other, err := f.svc.List(ctx, "expenses"); err != nil || len(other) != 0 {
			t.Errorf("another app's list: %v, %v", other, err)
		}

		must(t, f.svc.Delete(ctx, runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}))
		err = f.svc.Delete(ctx, runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"})
		wantCode(t, err, runway.ENOTFOUND)
		if !strings.Contains(err.Error(), "app payroll has no secret SLACK_BOT_TOKEN for production") {
			t.Errorf("second delete: %v", err)
		}
		list, _ = f.svc.List(ctx, "payroll")
		if len(list) != 2 {
			t.Errorf("after delete: %d secrets", len(list))
		}

		var actions []string
		for _, e := range f.audit(t) {
			if strings.HasPrefix(e.Action, "secret.") {
				actions = append(actions, e.Action+" "+e.Subject+" "+string(e.Data))
			}
		}
		keyID := f.key.ID()
		wantActions := []string{
			`secret.set secret:payroll/*/SLACK_BOT_TOKEN {"key_id":"` + keyID + `","version":1}`,
			`secret.set secret:payroll/*/SLACK_BOT_TOKEN {"key_id":"` + keyID + `","version":2}`,
			`secret.set secret:payroll/production/SLACK_BOT_TOKEN {"key_id":"` + keyID + `","version":1}`,
			`secret.set secret:payroll/staging/STRIPE_API_KEY {"key_id":"` + keyID + `","version":1}`,
			`secret.delete secret:payroll/production/SLACK_BOT_TOKEN {"version":1}`,
		}
		if diff := cmp.Diff(wantActions, actions); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

func TestResolve(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.set(t, "payroll", "", "SLACK_BOT_TOKEN", "xoxb-all")
		f.set(t, "payroll", runway.EnvProduction, "SLACK_BOT_TOKEN", "xoxb-prod")
		f.set(t, "payroll", runway.EnvProduction, "STRIPE_API_KEY", "sk_live_1\r\n")
		f.set(t, "expenses", runway.EnvStaging, "STRIPE_API_KEY", "sk_other_app")

		got, err := f.svc.Resolve(ctx, "payroll", runway.EnvProduction, []string{"STRIPE_API_KEY", "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"})
		must(t, err)
		if diff := cmp.Diff(map[string]string{"SLACK_BOT_TOKEN": "xoxb-prod", "STRIPE_API_KEY": "sk_live_1"}, got); diff != "" {
			t.Errorf("production (-want +got):\n%s", diff)
		}
		got, err = f.svc.Resolve(ctx, "payroll", runway.EnvStaging, []string{"SLACK_BOT_TOKEN"})
		must(t, err)
		if got["SLACK_BOT_TOKEN"] != "xoxb-all" {
			t.Errorf("staging falls back to every environment's value: %v", got)
		}
		if got, err := f.svc.Resolve(ctx, "payroll", runway.EnvStaging, nil); err != nil || len(got) != 0 {
			t.Errorf("no names: %v, %v", got, err)
		}

		errs := map[string]struct {
			app   string
			env   runway.Environment
			names []string
			code  string
			msg   string
		}{
			"undeclared": {"payroll", runway.EnvProduction, []string{"SLACK_BOT_TOKEN", "DATABASE_URL", "AWS_SECRET"}, runway.EFORBIDDEN,
				"app payroll does not declare AWS_SECRET, DATABASE_URL in runway.yaml"},
			"a value passed as a name": {"payroll", runway.EnvProduction, []string{"xoxb-123-secret"}, runway.EFORBIDDEN,
				"does not declare a malformed name"},
			"missing for this environment": {"payroll", runway.EnvStaging, []string{"STRIPE_API_KEY", "SLACK_BOT_TOKEN"}, runway.ENOTFOUND,
				"app payroll has no value for STRIPE_API_KEY in staging: set it with `runway secrets set payroll STRIPE_API_KEY --env staging`"},
			"no environment":   {"payroll", "", []string{"SLACK_BOT_TOKEN"}, runway.EINVALID, "name the one the process starts in"},
			"unknown app":      {"ghost", runway.EnvProduction, []string{"SLACK_BOT_TOKEN"}, runway.ENOTFOUND, `there is no app named "ghost"`},
			"other app's name": {"expenses", runway.EnvProduction, []string{"STRIPE_API_KEY"}, runway.ENOTFOUND, "app expenses has no value for STRIPE_API_KEY in production"},
		}
		for name, c := range errs {
			got, err := f.svc.Resolve(ctx, c.app, c.env, c.names)
			if runway.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.msg) || got != nil {
				t.Errorf("%s: %v, %v; want %s %q", name, got, err, c.code, c.msg)
			}
		}

		var resolves []string
		for _, e := range f.audit(t) {
			if e.Action == "secret.resolve" {
				resolves = append(resolves, e.Subject+" "+string(e.Data))
			}
		}
		want := []string{
			`app:payroll {"env":"production","secrets":{"SLACK_BOT_TOKEN":{"env":"production","version":1},"STRIPE_API_KEY":{"env":"production","version":1}}}`,
			`app:payroll {"env":"staging","secrets":{"SLACK_BOT_TOKEN":{"env":"every environment","version":1}}}`,
		}
		if diff := cmp.Diff(want, resolves); diff != "" {
			t.Errorf("secret.resolve entries (-want +got):\n%s", diff)
		}
	})
}

// TestSetRefuses checks every refused input: nothing is stored and no
// audit entry is written.
func TestSetRefuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite")
	small := New(Options{Backend: f.env, Apps: f.db, MaxValueBytes: 16})
	ok := runway.SecretRef{App: "payroll", Name: "SLACK_BOT_TOKEN"}
	cases := map[string]struct {
		svc   *Service
		ctx   context.Context
		ref   runway.SecretRef
		value string
		code  string
		msg   string
	}{
		"lowercase name":        {f.svc, ctx, runway.SecretRef{App: "payroll", Name: "slack_token"}, "v", runway.EINVALID, "that secret name is not valid (it is not repeated here"},
		"unknown environment":   {f.svc, ctx, runway.SecretRef{App: "payroll", Env: "prod", Name: "A"}, "v", runway.EINVALID, `environment "prod"`},
		"path in the app":       {f.svc, ctx, runway.SecretRef{App: "../payroll", Name: "A"}, "v", runway.EINVALID, `app name "../payroll"`},
		"unknown app":           {f.svc, ctx, runway.SecretRef{App: "ghost", Name: "A"}, "v", runway.ENOTFOUND, `there is no app named "ghost"`},
		"empty":                 {f.svc, ctx, ok, "", runway.EINVALID, "is empty"},
		"only a newline":        {f.svc, ctx, ok, "\n", runway.EINVALID, "is empty"},
		"too large":             {small, ctx, ok, strings.Repeat("x", 17), runway.EINVALID, "larger than 16 bytes"},
		"too large behind CRLF": {small, ctx, ok, strings.Repeat("x", 16) + "\r\nmore", runway.EINVALID, "larger than"},
		"NUL byte":              {f.svc, ctx, ok, "a\x00b", runway.EINVALID, "is not text"},
		"not UTF-8":             {f.svc, ctx, ok, "\xff\xfe", runway.EINVALID, "is not text"},
		"no actor":              {f.svc, context.Background(), ok, "v", runway.EINTERNAL, "no actor in the context"},
	}
	before := len(f.audit(t))
	for name, c := range cases {
		_, err := c.svc.Set(c.ctx, c.ref, strings.NewReader(c.value))
		if runway.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v; want %s %q", name, err, c.code, c.msg)
		}
	}
	if _, err := f.svc.Set(ctx, ok, iotest.ErrReader(errors.New("stdin closed"))); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("read error: %v", err)
	}
	if info, err := small.Set(ctx, ok, strings.NewReader(strings.Repeat("x", 16)+"\r\n")); err != nil || info.Version != 1 {
		t.Errorf("exactly the limit, with CRLF: %v, %v", info, err)
	}
	if n := len(f.audit(t)); n != before+1 {
		t.Errorf("audit grew by %d entries, want 1 (the one accepted value)", n-before)
	}
	list, _ := f.svc.List(ctx, "payroll")
	if len(list) != 1 {
		t.Errorf("stored %d secrets, want 1", len(list))
	}
}

func TestMissing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite")
	f.set(t, "payroll", "", "SLACK_BOT_TOKEN", "a")
	f.set(t, "payroll", runway.EnvProduction, "STRIPE_API_KEY", "b")
	for env, want := range map[runway.Environment][]string{
		runway.EnvProduction: nil,
		runway.EnvStaging:    {"STRIPE_API_KEY"},
	} {
		got, err := f.svc.Missing(ctx, "payroll", env)
		must(t, err)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", env, diff)
		}
	}
	if got := Declared(&runway.Manifest{Integrations: []runway.Integration{{Secret: "B"}, {Secret: "A"}, {}, {Secret: "B"}}}); !cmp.Equal(got, []string{"A", "B"}) {
		t.Errorf("Declared = %v", got)
	}
}

// TestSecretValueNeverPrints checks the last line of defence: a value
// handed around by mistake prints, logs and encodes without its value.
func TestSecretValueNeverPrints(t *testing.T) {
	t.Parallel()
	v := &runway.SecretValue{SecretInfo: runway.SecretInfo{SecretRef: runway.SecretRef{App: "a", Name: "N"}, Version: 3}, Value: []byte("canary-print-1")}
	raw, err := json.Marshal(map[string]any{"v": v, "w": *v})
	must(t, err)
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		out = append(out, fmt.Sprintf(verb, v), fmt.Sprintf(verb, *v))
	}
	out = append(out, string(raw), fmt.Sprintf("%v", []*runway.SecretValue{v}), fmt.Sprintf("%v", map[string]runway.SecretValue{"k": *v}))
	for _, s := range out {
		if strings.Contains(s, "canary-print-1") || strings.Contains(s, "63616e617279") {
			t.Errorf("value printed: %s", s)
		}
	}
	if got := fmt.Sprintf("%v", *v); got != "a/*/N v3 [redacted]" {
		t.Errorf("%%v = %q", got)
	}
}
