package flags_test

import (
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/runwaytest"
)

// TestOffByDefaultInProduction: one create makes the flag in every
// environment, on in sandbox and staging, off in production whatever the
// definition says, and only a team lead turns it on there.
func TestOffByDefaultInProduction(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{})
	ctx, dev, lead := runwaytest.Ctx, fx.people["developer"], fx.people["team-lead"]
	on := true
	fs, err := fx.svc.Create(ctx, dev, "shop", nil, flags.Spec{Key: "dark-mode", Type: runway.FlagBoolean, Enabled: &on})
	must(t, err)
	got := map[runway.Environment]bool{}
	for _, f := range fs {
		got[f.Environment] = f.Enabled
	}
	if len(fs) != 3 || !got[runway.EnvSandbox] || !got[runway.EnvStaging] || got[runway.EnvProduction] {
		t.Fatalf("created: %v", got)
	}
	snap, err := flags.LoadSnapshot(ctx, fx.store, "shop", runway.EnvProduction)
	must(t, err)
	if e := snap.Evaluate("dark-mode", flags.Context{TargetingKey: "u"}); e.Reason != flags.ReasonDisabled || string(e.Value) != "false" {
		t.Errorf("a new production flag serves %s %s, want its off variant", e.Value, e.Reason)
	}

	_, err = fx.svc.SetEnabled(ctx, dev, "shop", runway.EnvProduction, "dark-mode", true)
	wantErr(t, err, runway.EFORBIDDEN, "you may not turn on flags of shop in production: in production, only team leads of the app's team and admins may")
	f, err := fx.svc.SetEnabled(ctx, lead, "shop", runway.EnvProduction, "dark-mode", true)
	must(t, err)
	if !f.Enabled || f.Version != 2 || f.UpdatedBy != "user:lead@x" {
		t.Errorf("turned on: %+v", f)
	}
	// Turning it on again changes nothing and records nothing.
	again, err := fx.svc.SetEnabled(ctx, lead, "shop", runway.EnvProduction, "dark-mode", true)
	must(t, err)
	if again.Version != 2 {
		t.Errorf("turning on an on flag made version %d", again.Version)
	}
	_, err = fx.svc.Create(ctx, dev, "shop", []runway.Environment{runway.EnvSandbox}, flags.Spec{Key: "dark-mode", Type: runway.FlagBoolean})
	wantErr(t, err, runway.ECONFLICT, `app shop already has a flag "dark-mode" in sandbox`)
}

func TestServiceUpdate(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{})
	ctx, dev := runwaytest.Ctx, fx.people["developer"]
	f := fx.create(t, runway.EnvStaging, bannerSpec)
	spec := flags.Spec{Key: "banner", Description: "home page banner",
		Variants:   []runway.FlagVariant{{Name: "plain", Value: []byte(`"Welcome"`)}, {Name: "xmas", Value: []byte(`"Merry Christmas"`)}},
		OffVariant: "plain", Default: runway.FlagServe{Variant: "xmas"}}
	u, err := fx.svc.Update(ctx, dev, "shop", runway.EnvStaging, "banner", f.Version, spec)
	must(t, err)
	if u.Version != 2 || u.Type != runway.FlagString || !u.Enabled || u.Description != "home page banner" {
		t.Errorf("updated: %+v", u)
	}
	_, err = fx.svc.Update(ctx, dev, "shop", runway.EnvStaging, "banner", f.Version, spec)
	wantErr(t, err, runway.ECONFLICT, "changed since you read it (version 1, now 2, by user:dev@x)")
	spec.Key = "other"
	_, err = fx.svc.Update(ctx, dev, "shop", runway.EnvStaging, "banner", 2, spec)
	wantErr(t, err, runway.EINVALID, "a flag's key cannot change")
	spec.Key, spec.Type = "", runway.FlagBoolean
	_, err = fx.svc.Update(ctx, dev, "shop", runway.EnvStaging, "banner", 2, spec)
	wantErr(t, err, runway.EINVALID, "flag banner is a string flag and stays one")
	spec.Type, spec.Default = "", runway.FlagServe{Variant: "gone"}
	_, err = fx.svc.Update(ctx, dev, "shop", runway.EnvStaging, "banner", 2, spec)
	wantErr(t, err, runway.EINVALID, `default: serves variant "gone"`)
	_, err = fx.svc.Update(ctx, fx.people["other-dev"], "shop", runway.EnvStaging, "banner", 2, spec)
	wantErr(t, err, runway.EFORBIDDEN, "you may not change flags of shop in staging: developers and team leads of the app's team (and admins) may")
	_, err = fx.svc.Update(ctx, fx.people["anonymous"], "shop", runway.EnvStaging, "banner", 2, spec)
	wantErr(t, err, runway.EUNAUTHORIZED, "sign in first")
	_, err = fx.svc.Update(ctx, dev, "shop", "prod", "banner", 2, spec)
	wantErr(t, err, runway.EINVALID, `environment "prod": use one of [sandbox staging production]`)
	_, err = fx.svc.Update(ctx, dev, "nope", runway.EnvStaging, "banner", 2, spec)
	wantErr(t, err, runway.ENOTFOUND, `there is no app named "nope"`)
}

func TestServiceKill(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{})
	ctx := runwaytest.Ctx
	fx.create(t, runway.EnvProduction, bannerSpec)
	_, err := fx.svc.Kill(ctx, fx.people["platform"], "shop", runway.EnvProduction, "banner", " ")
	wantErr(t, err, runway.EINVALID, "say why you kill flag banner")
	_, err = fx.svc.Kill(ctx, fx.people["other-dev"], "shop", runway.EnvProduction, "banner", "x")
	wantErr(t, err, runway.EFORBIDDEN, "members of the app's team, security, platform and admins may")
	_, err = fx.svc.Kill(ctx, fx.people["platform"], "shop", runway.EnvProduction, "nope", "x")
	wantErr(t, err, runway.ENOTFOUND, `app shop has no flag "nope" in production`)
	f, err := fx.svc.Kill(ctx, fx.people["developer"], "shop", runway.EnvProduction, "banner", "wrong price shown")
	must(t, err)
	if f.Enabled || f.Kill.Reason != "wrong price shown" {
		t.Errorf("killed: %+v", f)
	}
	// A developer may kill in production but not turn it back on.
	_, err = fx.svc.SetEnabled(ctx, fx.people["developer"], "shop", runway.EnvProduction, "banner", true)
	wantErr(t, err, runway.EFORBIDDEN, "only team leads")
}

func TestServiceGroupsAndKeys(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{})
	ctx, dev, lead := runwaytest.Ctx, fx.people["developer"], fx.people["team-lead"]
	beta := runway.FlagGroup{App: "shop", Name: "beta", Keys: []string{"u1"}}
	_, err := fx.svc.SaveGroup(ctx, dev, beta)
	must(t, err)
	_, err = fx.svc.SaveGroup(ctx, dev, runway.FlagGroup{App: "shop", Name: "Beta"})
	wantErr(t, err, runway.EINVALID, `group Beta: name "Beta"`)
	_, err = fx.svc.Create(ctx, dev, "shop", []runway.Environment{runway.EnvStaging}, flags.Spec{Key: "f", Type: runway.FlagBoolean,
		Rules: []runway.FlagRule{{Conditions: []runway.FlagCondition{{Op: runway.OpInGroup, Values: []string{"gamma"}}}, Serve: runway.FlagServe{Variant: "on"}}}})
	wantErr(t, err, runway.EINVALID, `there is no group "gamma"`)

	// Once a production flag uses the group, changing it is a production change.
	fx.create(t, runway.EnvProduction, `{"key": "f", "type": "boolean", "rules": [{"conditions": [{"op": "in_group", "values": ["beta"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}`)
	beta.Keys = append(beta.Keys, "u2")
	_, err = fx.svc.SaveGroup(ctx, dev, beta)
	wantErr(t, err, runway.EFORBIDDEN, "a production flag uses this group")
	_, err = fx.svc.SaveGroup(ctx, lead, beta)
	must(t, err)
	gs, err := fx.svc.Groups(ctx, fx.people["no role"], "shop")
	must(t, err)
	if len(gs) != 1 || len(gs[0].Keys) != 2 {
		t.Errorf("groups: %+v", gs)
	}

	_, _, err = fx.svc.CreateKey(ctx, dev, "shop", runway.EnvProduction, "web")
	wantErr(t, err, runway.EFORBIDDEN, "make flag keys of shop for production")
	_, _, err = fx.svc.CreateKey(ctx, dev, "shop", runway.EnvStaging, " ")
	wantErr(t, err, runway.EINVALID, "name the key")
	k, secret, err := fx.svc.CreateKey(ctx, lead, "shop", runway.EnvProduction, "web server")
	must(t, err)
	if !runway.LooksLikeFlagKey(secret) || k.Hint != secret[:10] {
		t.Errorf("key %+v, secret %q", k, secret)
	}
	must(t, fx.svc.RevokeKey(ctx, lead, "shop", k.ID))
	wantErr(t, fx.svc.RevokeKey(ctx, dev, "shop", k.ID), runway.EFORBIDDEN, "revoke flag keys of shop for production")
	wantErr(t, fx.svc.RevokeKey(ctx, lead, "shop", 999), runway.ENOTFOUND, "app shop has no flag key 999")
	_, err = fx.svc.ListKeys(ctx, fx.people["other-dev"], "shop")
	wantErr(t, err, runway.EFORBIDDEN, "see the flag keys of shop")
	keys, err := fx.svc.ListKeys(ctx, fx.people["security"], "shop")
	must(t, err)
	if len(keys) != 1 || keys[0].RevokedAt == nil {
		t.Errorf("keys: %+v", keys)
	}
}

func TestServiceReads(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, flags.HandlerOptions{})
	ctx, reader := runwaytest.Ctx, fx.people["no role"]
	fx.create(t, runway.EnvStaging, limitSpec)
	fx.create(t, runway.EnvProduction, limitSpec)
	all, err := fx.svc.List(ctx, reader, "shop", "")
	must(t, err)
	staging, err := fx.svc.List(ctx, reader, "shop", runway.EnvStaging)
	must(t, err)
	if len(all) != 2 || len(staging) != 1 {
		t.Errorf("lists: %d, %d", len(all), len(staging))
	}
	f, err := fx.svc.Get(ctx, reader, "shop", runway.EnvProduction, "upload-limit-mb")
	must(t, err)
	if !f.Enabled || len(f.Rules) != 2 {
		t.Errorf("got %+v", f)
	}
	e, err := fx.svc.Evaluate(ctx, reader, "shop", runway.EnvStaging, "upload-limit-mb", ctxOf(t, `{"plan": "team"}`))
	must(t, err)
	if string(e.Value) != "250" || e.Reason != flags.ReasonTargetingMatch {
		t.Errorf("try it: %+v", e)
	}
	_, err = fx.svc.List(ctx, fx.people["anonymous"], "shop", "")
	wantErr(t, err, runway.EUNAUTHORIZED, "sign in first")
	_, err = fx.svc.List(ctx, reader, "nope", "")
	wantErr(t, err, runway.ENOTFOUND, "no app")
	noAudit := *fx.svc
	noAudit.Audit = nil
	_, err = noAudit.History(ctx, reader, "shop", runway.EnvStaging, "upload-limit-mb", runway.Page{})
	wantErr(t, err, runway.EUNAVAILABLE, "not available")
}

func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	if runway.ErrorCode(err) != code || !strings.Contains(runway.ErrorMessage(err), msg) {
		t.Errorf("error %v (%s), want %s with %q", err, runway.ErrorCode(err), code, msg)
	}
}
