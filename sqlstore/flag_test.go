package sqlstore_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
)

func TestSQLiteFlags(t *testing.T) {
	t.Parallel()
	flagSuite(t, func(t *testing.T, now func() time.Time) *sqlstore.DB { return openSQLite(t, now) })
}

func TestPostgresFlags(t *testing.T) {
	t.Parallel()
	postgresURL(t)
	flagSuite(t, func(t *testing.T, now func() time.Time) *sqlstore.DB { return openPostgres(t, now) })
}

// flagSuite runs the flag store tests on a store; each gets its own.
func flagSuite(t *testing.T, open func(*testing.T, func() time.Time) *sqlstore.DB) {
	tests := map[string]func(*testing.T, *sqlstore.DB, *runwaytest.Clock){
		"create, find, list":          testFlagCreate,
		"update with versions":        testFlagUpdate,
		"kill":                        testFlagKill,
		"groups":                      testFlagGroups,
		"keys":                        testFlagKeys,
		"every change audited, chain": testFlagAudit,
	}
	for name, test := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := runwaytest.NewClock()
			db := open(t, clock.Now)
			must(t, db.CreateTeam(runwaytest.Ctx, &runway.Team{Name: "web"}))
			must(t, db.CreateApp(runwaytest.Ctx, &runway.App{Name: "shop", Team: "web", Tier: 2}))
			test(t, db, clock)
		})
	}
}

func newFlag(env runway.Environment, key string) *runway.Flag {
	return &runway.Flag{
		App: "shop", Environment: env, Key: key, Type: runway.FlagBoolean, Description: "new checkout",
		Variants:   []runway.FlagVariant{{Name: "on", Value: json.RawMessage(`true`)}, {Name: "off", Value: json.RawMessage(`false`)}},
		OffVariant: "off", Enabled: env != runway.EnvProduction,
		Rules: []runway.FlagRule{{Name: "staff", Conditions: []runway.FlagCondition{{Attribute: "email", Op: runway.OpEndsWith, Values: []string{"@shop.example"}}},
			Serve: runway.FlagServe{Variant: "on"}}},
		Default: runway.FlagServe{Rollout: []runway.FlagWeight{{Variant: "on", Weight: 1000}, {Variant: "off", Weight: 9000}}},
	}
}

func testFlagCreate(t *testing.T, db *sqlstore.DB, clock *runwaytest.Clock) {
	ctx := runwaytest.Ctx
	flags := []*runway.Flag{newFlag(runway.EnvStaging, "checkout"), newFlag(runway.EnvProduction, "checkout"), newFlag(runway.EnvStaging, "banner")}
	must(t, db.CreateFlags(ctx, flags...))
	if flags[0].ID == 0 || flags[0].Version != 1 || !flags[0].CreatedAt.Equal(clock.Now()) || flags[0].UpdatedBy != "user:tester@example.com" {
		t.Fatalf("created: %+v", flags[0])
	}
	got, err := db.FindFlag(ctx, "shop", runway.EnvProduction, "checkout")
	must(t, err)
	if diff := cmp.Diff(flags[1], got); diff != "" {
		t.Errorf("stored flag differs (-created +found):\n%s", diff)
	}
	list, err := db.FindFlags(ctx, runway.FlagFilter{App: "shop", Environment: runway.EnvStaging})
	must(t, err)
	if len(list) != 2 || list[0].Key != "banner" || list[1].Key != "checkout" {
		t.Errorf("staging flags: %v", keysOf(list))
	}
	all, err := db.FindFlags(ctx, runway.FlagFilter{App: "shop"})
	must(t, err)
	if len(all) != 3 {
		t.Errorf("all flags: %v", keysOf(all))
	}

	// All or none: the second flag exists, so the first is not created.
	err = db.CreateFlags(ctx, newFlag(runway.EnvSandbox, "fresh"), newFlag(runway.EnvStaging, "checkout"))
	wantFlagCode(t, err, runway.ECONFLICT)
	if _, err := db.FindFlag(ctx, "shop", runway.EnvSandbox, "fresh"); runway.ErrorCode(err) != runway.ENOTFOUND {
		t.Errorf("a failed batch left a flag behind: %v", err)
	}
	f := newFlag(runway.EnvStaging, "x")
	f.App = "nope"
	wantFlagCode(t, db.CreateFlags(ctx, f), runway.ENOTFOUND)
	_, err = db.FindFlag(ctx, "shop", runway.EnvSandbox, "checkout")
	wantFlagCode(t, err, runway.ENOTFOUND)
	if none, err := db.FindFlags(ctx, runway.FlagFilter{App: "nope"}); err != nil || none == nil || len(none) != 0 {
		t.Errorf("flags of a missing app: %v, %v (want an empty list)", none, err)
	}
	wantFlagCode(t, db.CreateFlags(context.Background(), newFlag(runway.EnvSandbox, "anon")), runway.EINTERNAL)
}

func testFlagUpdate(t *testing.T, db *sqlstore.DB, clock *runwaytest.Clock) {
	ctx := runwaytest.Ctx
	f := newFlag(runway.EnvStaging, "checkout")
	must(t, db.CreateFlags(ctx, f))
	stale := *f
	clock.Advance(time.Minute)
	f.Description, f.Default = "new checkout, everyone", runway.FlagServe{Variant: "on"}
	must(t, db.UpdateFlag(runway.WithActor(ctx, "user:lead@example.com"), f))
	if f.Version != 2 || f.UpdatedBy != "user:lead@example.com" || !f.UpdatedAt.Equal(clock.Now()) || f.CreatedAt.Equal(f.UpdatedAt) {
		t.Fatalf("updated: %+v", f)
	}
	got, err := db.FindFlag(ctx, "shop", runway.EnvStaging, "checkout")
	must(t, err)
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("stored flag differs (-updated +found):\n%s", diff)
	}
	stale.Description = "someone else's edit"
	err = db.UpdateFlag(ctx, &stale)
	wantFlagCode(t, err, runway.ECONFLICT)
	if !strings.Contains(err.Error(), "version 1, now 2, by user:lead@example.com") {
		t.Errorf("conflict message: %v", err)
	}
	missing := newFlag(runway.EnvSandbox, "checkout")
	wantFlagCode(t, db.UpdateFlag(ctx, missing), runway.ENOTFOUND)
}

func testFlagKill(t *testing.T, db *sqlstore.DB, clock *runwaytest.Clock) {
	ctx := runwaytest.Ctx
	f := newFlag(runway.EnvStaging, "checkout")
	must(t, db.CreateFlags(ctx, f))
	killed, err := db.KillFlag(runway.WithActor(ctx, "user:oncall@example.com"), "shop", runway.EnvStaging, "checkout", "500s on /pay")
	must(t, err)
	want := &runway.FlagKill{By: "user:oncall@example.com", Reason: "500s on /pay", At: clock.Now()}
	if killed.Enabled || killed.Version != 2 || !cmp.Equal(killed.Kill, want) {
		t.Fatalf("killed: %+v %+v", killed, killed.Kill)
	}
	// Updating it while off keeps the kill; turning it on clears it.
	killed.Description = "investigating"
	must(t, db.UpdateFlag(ctx, killed))
	if killed.Kill == nil {
		t.Errorf("an update of a killed flag that leaves it off cleared the kill")
	}
	killed.Enabled = true
	must(t, db.UpdateFlag(ctx, killed))
	if killed.Kill != nil || !killed.Enabled || killed.Version != 4 {
		t.Errorf("turned on again: %+v", killed)
	}
	_, err = db.KillFlag(ctx, "shop", runway.EnvProduction, "checkout", "x")
	wantFlagCode(t, err, runway.ENOTFOUND)
}

func testFlagGroups(t *testing.T, db *sqlstore.DB, clock *runwaytest.Clock) {
	ctx := runwaytest.Ctx
	g := &runway.FlagGroup{App: "shop", Name: "beta", Description: "beta testers", Keys: []string{"u1", "u2"}}
	must(t, db.SaveFlagGroup(ctx, g))
	created := g.CreatedAt
	clock.Advance(time.Hour)
	g2 := &runway.FlagGroup{App: "shop", Name: "beta", Conditions: []runway.FlagCondition{{Attribute: "plan", Op: runway.OpIn, Values: []string{"beta"}}}}
	must(t, db.SaveFlagGroup(ctx, g2))
	if g2.ID != g.ID || !g2.CreatedAt.Equal(created) || !g2.UpdatedAt.Equal(clock.Now()) {
		t.Errorf("replaced group: %+v (first %+v)", g2, g)
	}
	must(t, db.SaveFlagGroup(ctx, &runway.FlagGroup{App: "shop", Name: "admins", Keys: []string{"root"}}))
	gs, err := db.FindFlagGroups(ctx, "shop")
	must(t, err)
	if len(gs) != 2 || gs[0].Name != "admins" || !cmp.Equal(gs[1], g2) {
		t.Errorf("groups: %+v", gs)
	}
	wantFlagCode(t, db.SaveFlagGroup(ctx, &runway.FlagGroup{App: "nope", Name: "x"}), runway.ENOTFOUND)
	entries, err := db.AuditEntries(ctx, runway.AuditFilter{Subject: "flag_group:shop/beta"})
	must(t, err)
	if len(entries) != 2 || entries[0].Action != "flag.group.create" || entries[1].Action != "flag.group.update" {
		t.Errorf("group audit: %+v", entries)
	}
}

func testFlagKeys(t *testing.T, db *sqlstore.DB, clock *runwaytest.Clock) {
	ctx := runwaytest.Ctx
	secret := runway.NewFlagKeySecret()
	k := &runway.FlagKey{App: "shop", Environment: runway.EnvProduction, Name: "web server"}
	must(t, db.CreateFlagKey(ctx, k, secret))
	if k.ID == 0 || k.Hint != secret[:10] || k.CreatedBy != "user:tester@example.com" {
		t.Fatalf("key: %+v", k)
	}
	got, err := db.AuthenticateFlagKey(ctx, secret)
	must(t, err)
	if !cmp.Equal(got, k) {
		t.Errorf("authenticated %+v, want %+v", got, k)
	}
	for _, bad := range []string{"", "rwf_x", runway.NewFlagKeySecret(), runway.NewTokenSecret()} {
		_, err := db.AuthenticateFlagKey(ctx, bad)
		wantFlagCode(t, err, runway.EUNAUTHORIZED)
	}
	wantFlagCode(t, db.CreateFlagKey(ctx, &runway.FlagKey{App: "shop", Environment: runway.EnvStaging}, secret), runway.ECONFLICT)
	wantFlagCode(t, db.CreateFlagKey(ctx, &runway.FlagKey{App: "shop"}, "not a key"), runway.EINVALID)
	clock.Advance(time.Minute)
	must(t, db.RevokeFlagKey(ctx, "shop", k.ID))
	_, err = db.AuthenticateFlagKey(ctx, secret)
	wantFlagCode(t, err, runway.EUNAUTHORIZED)
	wantFlagCode(t, db.RevokeFlagKey(ctx, "other", k.ID), runway.ENOTFOUND)
	keys, err := db.FindFlagKeys(ctx, "shop")
	must(t, err)
	if len(keys) != 1 || keys[0].RevokedAt == nil || !keys[0].RevokedAt.Equal(clock.Now()) {
		t.Errorf("keys: %+v", keys)
	}
	// The secret is nowhere in the audit trail.
	entries, err := db.AuditEntries(ctx, runway.AuditFilter{})
	must(t, err)
	for _, e := range entries {
		if strings.Contains(string(e.Data), secret[10:]) || strings.Contains(string(e.Data), runway.HashToken(secret)) {
			t.Errorf("audit entry %s holds the key: %s", e.Action, e.Data)
		}
	}
}

func testFlagAudit(t *testing.T, db *sqlstore.DB, _ *runwaytest.Clock) {
	ctx := runwaytest.Ctx
	f := newFlag(runway.EnvProduction, "checkout")
	must(t, db.CreateFlags(ctx, f))
	f.Enabled = true
	must(t, db.UpdateFlag(ctx, f))
	_, err := db.KillFlag(ctx, "shop", runway.EnvProduction, "checkout", "errors")
	must(t, err)
	// Refused changes leave no entry.
	wantFlagCode(t, db.UpdateFlag(ctx, f), runway.ECONFLICT)
	_, err = db.KillFlag(context.Background(), "shop", runway.EnvProduction, "checkout", "no actor")
	wantFlagCode(t, err, runway.EINTERNAL)

	entries, err := db.AuditEntries(ctx, runway.AuditFilter{Subject: runway.FlagSubject("shop", runway.EnvProduction, "checkout")})
	must(t, err)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if want := []string{"flag.create", "flag.update", "flag.kill"}; !cmp.Equal(actions, want) {
		t.Fatalf("history %v, want %v", actions, want)
	}
	var update struct {
		Version int64 `json:"version"`
		Enabled bool  `json:"enabled"`
		Rules   []runway.FlagRule
	}
	must(t, json.Unmarshal(entries[1].Data, &update))
	if update.Version != 2 || !update.Enabled || len(update.Rules) != 1 {
		t.Errorf("the update entry does not hold the definition: %s", entries[1].Data)
	}
	if !strings.Contains(string(entries[2].Data), `"reason":"errors"`) {
		t.Errorf("the kill entry does not say why: %s", entries[2].Data)
	}
	if _, err := runway.VerifyAudit(ctx, db); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	got, err := db.FindFlag(ctx, "shop", runway.EnvProduction, "checkout")
	must(t, err)
	if got.Version != 3 {
		t.Errorf("the refused changes changed the flag: version %d", got.Version)
	}
}

func keysOf(fs []*runway.Flag) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Environment)+"/"+f.Key)
	}
	return out
}

func wantFlagCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := runway.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}
