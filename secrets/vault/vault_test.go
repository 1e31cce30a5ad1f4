package vault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/sqlstore"
)

// No Vault server runs on the machines this project is built on, and this
// package is not tested against a fake one: these tests check what needs
// no server, and TestRealVault runs the backend against a real Vault when
// RUNWAY_TEST_VAULT_ADDR and RUNWAY_TEST_VAULT_TOKEN name one (for example
// `vault server -dev` on 127.0.0.1).

func audit(t *testing.T) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: filepath.Join(t.TempDir(), "runway.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestNewChecksOptions is not parallel: it sets VAULT_* variables to check
// that the Vault client's own reading of them is overridden.
func TestNewChecksOptions(t *testing.T) {
	rec := audit(t)
	good := Options{Address: "https://vault.example.com:8200", Token: "hvs.test", Audit: rec}
	cases := map[string]struct {
		change func(*Options)
		msg    string
	}{
		"no address":      {func(o *Options) { o.Address = "" }, "no Vault address"},
		"no token":        {func(o *Options) { o.Token = "" }, "no Vault token"},
		"no audit":        {func(o *Options) { o.Audit = nil }, "no audit recorder"},
		"mount with ..":   {func(o *Options) { o.Mount = "secret/../sys" }, `mount "secret/../sys"`},
		"prefix with //":  {func(o *Options) { o.Prefix = "a//b" }, `prefix "a//b"`},
		"prefix with ?":   {func(o *Options) { o.Prefix = "runway?list=true" }, `prefix "runway?list=true"`},
		"bad address URL": {func(o *Options) { o.Address = "://nope" }, "Vault secrets:"},
	}
	for name, c := range cases {
		o := good
		c.change(&o)
		if _, err := New(o); runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %q", name, err, c.msg)
		}
	}
	t.Setenv("VAULT_TOKEN", "hvs.from-the-environment")
	t.Setenv("VAULT_NAMESPACE", "elsewhere")
	b, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	if b.client.Token() != "hvs.test" || b.client.Namespace() != "" || b.mount != "secret" || b.prefix != "runway" {
		t.Errorf("the environment leaked into the client: token %q, namespace %q", b.client.Token(), b.client.Namespace())
	}
	if got := b.path(runway.SecretRef{App: "payroll", Name: "SLACK_BOT_TOKEN"}); got != "runway/payroll/_all/SLACK_BOT_TOKEN" {
		t.Errorf("path = %s", got)
	}
	if got := b.path(runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}); got != "runway/payroll/production/SLACK_BOT_TOKEN" {
		t.Errorf("path = %s", got)
	}
}

// TestRefusesBeforeCallingVault checks what is refused without a request:
// malformed refs (which would otherwise become paths) and changes without
// an actor. The address is a closed port: any request would fail
// differently.
func TestRefusesBeforeCallingVault(t *testing.T) {
	t.Parallel()
	b, err := New(Options{Address: "http://127.0.0.1:1", Token: "hvs.test", Audit: audit(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := runway.WithActor(context.Background(), "user:ana@example.com")
	for _, ref := range []runway.SecretRef{{App: "../sys", Name: "A"}, {App: "payroll", Name: "../../sys/seal"}, {App: "payroll", Env: "x/y", Name: "A"}} {
		if _, err := b.PutSecret(ctx, ref, []byte("v")); runway.ErrorCode(err) != runway.EINVALID {
			t.Errorf("put %v: %v", ref, err)
		}
		if _, err := b.GetSecrets(ctx, []runway.SecretRef{ref}); runway.ErrorCode(err) != runway.EINVALID {
			t.Errorf("get %v: %v", ref, err)
		}
		if err := b.DeleteSecret(ctx, ref); runway.ErrorCode(err) != runway.EINVALID {
			t.Errorf("delete %v: %v", ref, err)
		}
	}
	if _, err := b.ListSecrets(ctx, "../sys"); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("list: %v", err)
	}
	ref := runway.SecretRef{App: "payroll", Name: "A"}
	if _, err := b.PutSecret(context.Background(), ref, []byte("v")); err == nil || !strings.Contains(err.Error(), "no actor") {
		t.Errorf("put without an actor: %v", err)
	}
	// A request that cannot connect says so, without the token. (The
	// client retries twice, a second apart; the deadline cuts that short.)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = b.GetSecrets(short, []runway.SecretRef{ref})
	if runway.ErrorCode(err) != runway.EUNAVAILABLE || !strings.Contains(err.Error(), "cannot reach Vault to read secret payroll/*/A") || strings.Contains(err.Error(), "hvs.test") {
		t.Errorf("closed port: %v", err)
	}
}

// TestRealVault runs the backend against a real Vault (KV version 2 at
// "secret", as `vault server -dev` mounts it).
func TestRealVault(t *testing.T) {
	addr, token := os.Getenv("RUNWAY_TEST_VAULT_ADDR"), os.Getenv("RUNWAY_TEST_VAULT_TOKEN")
	if addr == "" || token == "" {
		t.Skip("set RUNWAY_TEST_VAULT_ADDR and RUNWAY_TEST_VAULT_TOKEN to test against a real Vault (vault server -dev)")
	}
	rec := audit(t)
	var rnd [6]byte
	rand.Read(rnd[:])
	b, err := New(Options{Address: addr, Token: token, Prefix: "runway-test-" + hex.EncodeToString(rnd[:]), Audit: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx := runway.WithActor(context.Background(), "user:ana@example.com")
	all := runway.SecretRef{App: "payroll", Name: "SLACK_BOT_TOKEN"}
	prod := runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}
	canary := "canary-" + hex.EncodeToString(rnd[:])
	for i, ref := range []runway.SecretRef{all, all, prod} {
		info, err := b.PutSecret(ctx, ref, []byte(canary+ref.String()))
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{1, 2, 1}[i]; info.Version != want || info.UpdatedBy != "user:ana@example.com" {
			t.Errorf("put %d: %+v", i, info)
		}
	}
	list, err := b.ListSecrets(ctx, "payroll")
	if err != nil || len(list) != 2 || list[0].Env != "" || list[0].Version != 2 || list[1].Env != runway.EnvProduction {
		t.Errorf("list: %+v, %v", list, err)
	}
	got, err := b.GetSecrets(ctx, []runway.SecretRef{all, prod, {App: "payroll", Env: runway.EnvStaging, Name: "SLACK_BOT_TOKEN"}})
	if err != nil || len(got) != 2 || string(got[prod].Value) != canary+prod.String() || got[all].Version != 2 {
		t.Errorf("get: %v, %v", got, err)
	}
	if err := b.DeleteSecret(ctx, prod); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteSecret(ctx, prod); runway.ErrorCode(err) != runway.ENOTFOUND {
		t.Errorf("second delete: %v", err)
	}
	if err := b.DeleteSecret(ctx, all); err != nil {
		t.Fatal(err)
	}
	entries, err := rec.AuditEntries(ctx, runway.AuditFilter{})
	if err != nil || len(entries) != 5 {
		t.Fatalf("audit: %d entries, %v", len(entries), err)
	}
	for _, e := range entries {
		if strings.Contains(string(e.Data), canary) {
			t.Errorf("audit entry holds a value: %s", e.Data)
		}
	}
}
