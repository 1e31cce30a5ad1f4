package secrets

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
)

func fmtAll(v any) string {
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	return b.String()
}

// TestSealedBytes checks the format of what the database holds: a fresh
// data key and nonce at every set, no trace of the value, the format byte.
func TestSealedBytes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite")
	ref := runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}
	a := f.env.sealSecret(ref, []byte("same value"))
	b := f.env.sealSecret(ref, []byte("same value"))
	if bytes.Equal(a.Ciphertext, b.Ciphertext) || bytes.Equal(a.WrappedKey, b.WrappedKey) {
		t.Error("the same value sealed twice gives the same bytes: nonce or data key reused")
	}
	// format byte, 12-byte nonce, 32-byte data key, 16-byte tag
	if a.Ciphertext[0] != formatV1 || len(a.Ciphertext) != 1+12+len("same value")+16 || len(a.WrappedKey) != 1+12+32+16 {
		t.Errorf("sealed sizes: value %d, data key %d", len(a.Ciphertext), len(a.WrappedKey))
	}
	if a.KeyID != f.key.ID() || bytes.Contains(a.Ciphertext, []byte("same value")) {
		t.Errorf("sealed: %+v", a)
	}
	v, err := f.env.openSecret(a)
	if err != nil || string(v) != "same value" {
		t.Errorf("open = %q, %v", v, err)
	}
}

// TestTamperedSecretsDoNotOpen changes stored bytes in the database itself,
// and copies a row's sealed bytes to another secret: nothing opens, and
// the error names the secret and what to do.
func TestTamperedSecretsDoNotOpen(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.set(t, "payroll", runway.EnvProduction, "SLACK_BOT_TOKEN", "xoxb-payroll")
		f.set(t, "payroll", runway.EnvProduction, "STRIPE_API_KEY", "sk-payroll")
		f.set(t, "expenses", runway.EnvProduction, "SLACK_BOT_TOKEN", "xoxb-expenses")
		resolve := func(app, name string) error {
			_, err := f.svc.Resolve(ctx, app, runway.EnvProduction, []string{name})
			return err
		}
		var ct, wk []byte
		must(t, f.queryRow(`SELECT ciphertext, wrapped_key FROM app_secrets WHERE name = 'STRIPE_API_KEY'`).Scan(&ct, &wk))

		// A bit flipped in the value, then in the data key: neither opens.
		flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
		for i, c := range []struct{ col, want string }{
			{"ciphertext", "secret payroll/production/STRIPE_API_KEY (version 1) does not open"},
			{"wrapped_key", "secret payroll/production/STRIPE_API_KEY (version 1) does not open"},
		} {
			orig := map[string][]byte{"ciphertext": ct, "wrapped_key": wk}[c.col]
			for _, pos := range []int{0, 5, len(orig) - 1} {
				f.exec(t, `UPDATE app_secrets SET `+c.col+` = ? WHERE name = 'STRIPE_API_KEY'`, flip(orig, pos))
				err := resolve("payroll", "STRIPE_API_KEY")
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%d: %s byte %d flipped: %v", i, c.col, pos, err)
				}
			}
			f.exec(t, `UPDATE app_secrets SET `+c.col+` = ? WHERE name = 'STRIPE_API_KEY'`, orig)
		}
		must(t, resolve("payroll", "STRIPE_API_KEY"))

		// Another secret's bytes copied over: its own key opens them, but
		// the associated data (app, environment, name) does not match.
		copyRow := func(fromApp, fromName, toApp, toName string) {
			var c, w []byte
			must(t, f.queryRow(`SELECT s.ciphertext, s.wrapped_key FROM app_secrets s JOIN apps a ON a.id = s.app_id WHERE a.name = ? AND s.name = ?`, fromApp, fromName).Scan(&c, &w))
			f.exec(t, `UPDATE app_secrets SET ciphertext = ?, wrapped_key = ? WHERE name = ? AND app_id = (SELECT id FROM apps WHERE name = ?)`, c, w, toName, toApp)
		}
		copyRow("expenses", "SLACK_BOT_TOKEN", "payroll", "SLACK_BOT_TOKEN")
		if err := resolve("payroll", "SLACK_BOT_TOKEN"); err == nil || !strings.Contains(err.Error(), "copied from another secret") {
			t.Errorf("another app's row: %v", err)
		}
		copyRow("payroll", "STRIPE_API_KEY", "payroll", "SLACK_BOT_TOKEN")
		if err := resolve("payroll", "SLACK_BOT_TOKEN"); err == nil {
			t.Error("another name's row opened")
		}
		// The row moved to another environment.
		f.exec(t, `UPDATE app_secrets SET env = 'staging' WHERE name = 'STRIPE_API_KEY'`)
		if _, err := f.svc.Resolve(ctx, "payroll", runway.EnvStaging, []string{"STRIPE_API_KEY"}); err == nil {
			t.Error("a row moved to staging opened")
		}
		// An unknown format.
		f.exec(t, `UPDATE app_secrets SET ciphertext = ? WHERE name = 'SLACK_BOT_TOKEN' AND app_id = (SELECT id FROM apps WHERE name = 'expenses')`, []byte{2, 0, 0})
		if err := resolve("expenses", "SLACK_BOT_TOKEN"); err == nil || !strings.Contains(err.Error(), "does not open") {
			t.Errorf("unknown format: %v", err)
		}
	})
}

// TestWrongMasterKey starts a second server on the same database with
// another master key: CheckKeys says so before anything is resolved, and
// Resolve names the key it lacks.
func TestWrongMasterKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite")
	f.set(t, "payroll", "", "SLACK_BOT_TOKEN", "xoxb-1")
	must(t, f.env.CheckKeys(ctx))
	wrong, _ := GenerateMasterKey()
	env := NewEnvelope(f.db, wrong)
	err := env.CheckKeys(ctx)
	wantCode(t, err, runway.EINVALID)
	if want := fmt.Sprintf("sealed under master keys this server was not given: [%s (1 secrets)]", f.key.ID()); !strings.Contains(err.Error(), want) {
		t.Errorf("CheckKeys: %v\nwant %s", err, want)
	}
	svc := New(Options{Backend: env, Apps: f.db})
	_, err = svc.Resolve(ctx, "payroll", runway.EnvSandbox, []string{"SLACK_BOT_TOKEN"})
	if err == nil || !strings.Contains(err.Error(), "is sealed under master key "+f.key.ID()+", which this server was not given") {
		t.Errorf("Resolve: %v", err)
	}
	// Given as an old key, it opens again.
	env = NewEnvelope(f.db, wrong, f.key)
	svc = New(Options{Backend: env, Apps: f.db})
	if got, err := svc.Resolve(ctx, "payroll", runway.EnvSandbox, []string{"SLACK_BOT_TOKEN"}); err != nil || got["SLACK_BOT_TOKEN"] != "xoxb-1" {
		t.Errorf("with the old key: %v, %v", got, err)
	}
}

// TestRotate re-seals every data key under a new master key without
// touching a value, then works with the new key alone.
func TestRotate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.env.batch = 3
		want := plant(t, f)
		valuesBefore := ciphertexts(t, f)

		newKey, _ := GenerateMasterKey()
		r, err := f.env.Rotate(ctx, newKey)
		must(t, err)
		if r.Resealed != 16 || len(r.Remaining) != 0 || r.KeyID != newKey.ID() {
			t.Errorf("rotation: %+v", r)
		}
		if diff := cmp.Diff(valuesBefore, ciphertexts(t, f)); diff != "" {
			t.Errorf("values were re-encrypted (-before +after):\n%s", diff)
		}
		alone := New(Options{Backend: NewEnvelope(f.db, newKey), Apps: f.db})
		checkAll(t, alone, want)
		old := New(Options{Backend: NewEnvelope(f.db, f.key), Apps: f.db})
		if _, err := old.Resolve(ctx, "payroll", runway.EnvProduction, []string{"SLACK_BOT_TOKEN"}); err == nil {
			t.Error("the old key alone still opens a rotated secret")
		}
		// New values are sealed under the new key.
		f.set(t, "payroll", runway.EnvStaging, "SLACK_BOT_TOKEN", "after")
		use, err := f.env.KeyUse(ctx)
		must(t, err)
		if diff := cmp.Diff(map[string]int{newKey.ID(): 16}, use); diff != "" {
			t.Errorf("key use (-want +got):\n%s", diff)
		}
		// Rotating again to the same key has nothing to do.
		if r, err := f.env.Rotate(ctx, newKey); err != nil || r.Resealed != 0 {
			t.Errorf("second rotation: %+v, %v", r, err)
		}

		var rotated []string
		for _, e := range f.audit(t) {
			if e.Action == "secret.rotate" {
				if e.Subject != "master_key:"+newKey.ID() || !strings.Contains(string(e.Data), `"from_key":"`+f.key.ID()+`"`) {
					t.Errorf("rotate entry %s %s", e.Subject, e.Data)
				}
				rotated = append(rotated, string(e.Data))
			}
		}
		if len(rotated) != 6 { // 16 secrets in batches of 3
			t.Errorf("%d secret.rotate entries, want 6:\n%s", len(rotated), strings.Join(rotated, "\n"))
		}
	})
}

// TestRotateStoppedHalfway cancels a rotation in the middle of a batch,
// after two committed batches: every secret still opens with the old and
// new keys together, each under one of them, and running the rotation
// again finishes it.
func TestRotateStoppedHalfway(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.env.batch = 3
		want := plant(t, f)
		newKey, _ := GenerateMasterKey()

		stop, cancel := context.WithCancel(ctx)
		defer cancel()
		rewraps := 0
		f.env.store = &interrupting{SecretStore: f.db, after: 7, cancel: cancel, seen: &rewraps}
		r, err := f.env.Rotate(stop, newKey)
		if err == nil || r.Resealed != 6 {
			t.Fatalf("interrupted rotation: %+v, %v", r, err)
		}
		use, err := f.env.KeyUse(ctx)
		must(t, err)
		if diff := cmp.Diff(map[string]int{newKey.ID(): 6, f.key.ID(): 10}, use); diff != "" {
			t.Errorf("after the interruption (-want +got):\n%s", diff)
		}
		both := New(Options{Backend: NewEnvelope(f.db, newKey, f.key), Apps: f.db})
		checkAll(t, both, want)
		if err := NewEnvelope(f.db, newKey).CheckKeys(ctx); err == nil || !strings.Contains(err.Error(), f.key.ID()+" (10 secrets)") {
			t.Errorf("CheckKeys without the old key mid-rotation: %v", err)
		}

		f.env.store = f.db
		r, err = f.env.Rotate(ctx, newKey)
		if err != nil || r.Resealed != 10 || len(r.Remaining) != 0 {
			t.Fatalf("resumed rotation: %+v, %v", r, err)
		}
		checkAll(t, New(Options{Backend: NewEnvelope(f.db, newKey), Apps: f.db}), want)
	})
}

// TestRotateWhileSetting sets values while a rotation runs: a value set
// meanwhile is never given back an old data key, and at the end every
// secret opens under the new key alone.
func TestRotateWhileSetting(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.env.batch = 2
		want := plant(t, f)
		newKey, _ := GenerateMasterKey()
		done := make(chan error)
		go func() {
			_, err := f.env.Rotate(ctx, newKey)
			done <- err
		}()
		for i := 0; ; i++ {
			select {
			case err := <-done:
				must(t, err)
				checkAll(t, New(Options{Backend: NewEnvelope(f.db, newKey), Apps: f.db}), want)
				return
			default:
			}
			app, env := []string{"payroll", "expenses"}[i%2], runway.Environments[i%3]
			v := fmt.Sprintf("value-during-%d", i)
			f.set(t, app, env, "STRIPE_API_KEY", v)
			want[app+"/"+string(env)]["STRIPE_API_KEY"] = v
		}
	})
}

// TestRotateRefusesUnopenable stops a rotation at a data key no given key
// opens, rolling back its batch, and says which secret it is.
func TestRotateRefusesUnopenable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite")
	f.set(t, "payroll", runway.EnvProduction, "SLACK_BOT_TOKEN", "a")
	f.set(t, "payroll", runway.EnvProduction, "STRIPE_API_KEY", "b")
	f.exec(t, `UPDATE app_secrets SET wrapped_key = ? WHERE name = 'STRIPE_API_KEY'`, []byte{1, 2, 3})
	newKey, _ := GenerateMasterKey()
	_, err := f.env.Rotate(ctx, newKey)
	if err == nil || !strings.Contains(err.Error(), "secret payroll/production/STRIPE_API_KEY (version 1) does not open") {
		t.Fatalf("Rotate: %v", err)
	}
	use, _ := f.env.KeyUse(ctx)
	if use[f.key.ID()] != 2 {
		t.Errorf("the failed batch was not rolled back: %v", use)
	}
}

// interrupting cancels the context after a number of data keys were
// re-sealed, in the middle of a batch: as a crash or a stop would.
type interrupting struct {
	runway.SecretStore
	after  int
	seen   *int
	cancel func()
}

func (s *interrupting) RewrapSecrets(ctx context.Context, keyID string, limit int, rewrap func(*runway.SealedSecret) error) (int, error) {
	return s.SecretStore.RewrapSecrets(ctx, keyID, limit, func(x *runway.SealedSecret) error {
		if *s.seen++; *s.seen == s.after {
			s.cancel()
		}
		return rewrap(x)
	})
}

// plant sets a value for each declared name of both apps in every scope
// (every environment, then each one): 16 secrets. It returns what each app
// should resolve in each environment.
func plant(t *testing.T, f *fixture) map[string]map[string]string {
	t.Helper()
	want := map[string]map[string]string{}
	for _, app := range []string{"payroll", "expenses"} {
		for _, env := range append([]runway.Environment{""}, runway.Environments...) {
			for _, name := range []string{"SLACK_BOT_TOKEN", "STRIPE_API_KEY"} {
				v := fmt.Sprintf("value-%s-%s-%s", app, env, name)
				f.set(t, app, env, name, v)
				for _, e := range runway.Environments {
					if env == "" || env == e {
						key := app + "/" + string(e)
						if want[key] == nil {
							want[key] = map[string]string{}
						}
						want[key][name] = v
					}
				}
			}
		}
	}
	return want
}

// checkAll resolves every declared secret of both apps in every
// environment and compares with what plant set.
func checkAll(t *testing.T, svc *Service, want map[string]map[string]string) {
	t.Helper()
	for _, app := range []string{"payroll", "expenses"} {
		for _, env := range runway.Environments {
			got, err := svc.Resolve(ctx, app, env, []string{"SLACK_BOT_TOKEN", "STRIPE_API_KEY"})
			if err != nil {
				t.Errorf("%s in %s: %v", app, env, err)
				continue
			}
			if diff := cmp.Diff(want[app+"/"+string(env)], got); diff != "" {
				t.Errorf("%s in %s (-want +got):\n%s", app, env, diff)
			}
		}
	}
}

// ciphertexts returns every stored value's sealed bytes, by secret.
func ciphertexts(t *testing.T, f *fixture) map[string][]byte {
	t.Helper()
	rows, err := f.raw.Query(`SELECT app_id, env, name, ciphertext FROM app_secrets`)
	must(t, err)
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var app int
		var env, name string
		var ct []byte
		must(t, rows.Scan(&app, &env, &name, &ct))
		out[fmt.Sprint(app, env, name)] = ct
	}
	return out
}

// FuzzOpenSecret: whatever bytes the database hands back, opening them
// never panics, and nothing but the sealed bytes themselves opens.
func FuzzOpenSecret(f *testing.F) {
	key, _ := GenerateMasterKey()
	env := NewEnvelope(nil, key)
	ref := runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}
	good := env.sealSecret(ref, []byte("xoxb-fuzz"))
	f.Add(good.WrappedKey, good.Ciphertext)
	f.Add(good.WrappedKey[:13], good.Ciphertext[:1])
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1}, bytes.Repeat([]byte{1}, 64))
	f.Add(good.Ciphertext, good.WrappedKey)
	f.Fuzz(func(t *testing.T, wrapped, ciphertext []byte) {
		s := &runway.SealedSecret{SecretInfo: good.SecretInfo, KeyID: key.ID(), WrappedKey: wrapped, Ciphertext: ciphertext}
		v, err := env.openSecret(s)
		same := bytes.Equal(wrapped, good.WrappedKey) && bytes.Equal(ciphertext, good.Ciphertext)
		if (err == nil) != same {
			t.Fatalf("opened %q (%v) from bytes that were not sealed", v, err)
		}
		if err != nil && !strings.Contains(err.Error(), "payroll/production/SLACK_BOT_TOKEN") {
			t.Fatalf("error does not name the secret: %v", err)
		}
	})
}
