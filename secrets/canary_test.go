package secrets

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/sqlstore"
)

// TestCanarySecretsNeverLeak plants canary values and master keys, runs
// every operation and every error path, and then looks for the canaries
// (as they are, in base64 and in hex) in everything that leaves the
// package: errors, lists, rotation results, the audit trail, the log, and
// the database's own bytes. Only Resolve's result may hold them.
func TestCanarySecretsNeverLeak(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, f *fixture) {
		var canaries []string
		canary := func(label string) string {
			b := make([]byte, 12)
			rand.Read(b)
			c := "canary-" + label + "-" + hex.EncodeToString(b)
			canaries = append(canaries, c)
			return c
		}
		key, keyText := GenerateMasterKey()
		newKey, newKeyText := GenerateMasterKey()
		canaries = append(canaries, keyText, newKeyText)

		var seen []string // everything that must hold no canary
		note := func(v ...any) {
			for _, x := range v {
				switch x := x.(type) {
				case error:
					seen = append(seen, x.Error(), fmt.Sprintf("%+v", x), runway.ErrorMessage(x))
				case string:
					seen = append(seen, x)
				default:
					raw, err := json.Marshal(x)
					must(t, err)
					seen = append(seen, string(raw), fmt.Sprintf("%+v", x))
				}
			}
		}
		env := NewEnvelope(f.db, key)
		env.batch = 2
		svc := New(Options{Backend: env, Apps: f.db, Audit: f.db,
			Logger: slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), MaxValueBytes: 1 << 10})

		// Values planted in every scope, one set twice.
		planted := map[runway.SecretRef]string{}
		for _, app := range []string{"payroll", "expenses"} {
			for _, e := range []runway.Environment{"", runway.EnvProduction} {
				for _, name := range []string{"SLACK_BOT_TOKEN", "STRIPE_API_KEY"} {
					ref := runway.SecretRef{App: app, Env: e, Name: name}
					planted[ref] = canary("v1")
					info, err := svc.Set(ctx, ref, strings.NewReader(planted[ref]+"\n"))
					must(t, err)
					note(info)
				}
			}
		}
		again := runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}
		planted[again] = canary("v2")
		info, err := svc.Set(ctx, again, strings.NewReader(planted[again]))
		must(t, err)
		note(info)

		// What people read.
		for _, app := range []string{"payroll", "expenses"} {
			list, err := svc.List(ctx, app)
			must(t, err)
			note(list)
			missing, err := svc.Missing(ctx, app, runway.EnvStaging)
			must(t, err)
			note(missing)
		}
		got, err := svc.Resolve(ctx, "payroll", runway.EnvProduction, []string{"SLACK_BOT_TOKEN", "STRIPE_API_KEY"})
		must(t, err)
		if got["SLACK_BOT_TOKEN"] != planted[again] {
			t.Fatalf("Resolve gave the wrong value")
		}
		values, err := env.GetSecrets(ctx, []runway.SecretRef{again})
		must(t, err)
		note(values[again], *values[again], fmt.Sprint(values))

		// Error paths, each with a canary in reach.
		note(svc.Resolve(ctx, "payroll", runway.EnvProduction, []string{"SLACK_BOT_TOKEN", planted[again]}))        // a value passed as a name
		note(svc.Resolve(ctx, "payroll", runway.EnvStaging, []string{"SLACK_BOT_TOKEN", "STRIPE_API_KEY", "NOPE"})) // undeclared
		_, err = svc.Set(ctx, again, strings.NewReader(canary("huge")+strings.Repeat("x", 2<<10)))
		note(err)
		_, err = svc.Set(ctx, again, strings.NewReader(canary("nul")+"\x00"))
		note(err)
		_, err = svc.Set(ctx, again, strings.NewReader(canary("binary")+"\xff"))
		note(err)
		_, err = svc.Set(context.Background(), again, strings.NewReader(canary("no-actor")))
		note(err)
		_, err = svc.Set(ctx, runway.SecretRef{App: "ghost", Name: "A"}, strings.NewReader(canary("no-app")))
		note(err)
		_, err = svc.Set(ctx, runway.SecretRef{App: "payroll", Name: canary("as-name")}, strings.NewReader("x"))
		note(err)
		for _, material := range []string{canary("key"), canary("key")[:32], base64.StdEncoding.EncodeToString([]byte(canary("key")))} {
			_, err := ParseMasterKey([]byte(material))
			note(err)
		}
		keyFile := t.TempDir() + "/key"
		must(t, os.WriteFile(keyFile, []byte(canary("key-file")), 0o600))
		_, err = ReadMasterKeyFile(keyFile)
		note(err)

		// The wrong master key, a tampered value, a row copied to another
		// secret: each fails with an error that names the secret only.
		wrong, _ := GenerateMasterKey()
		wrongSvc := New(Options{Backend: NewEnvelope(f.db, wrong), Apps: f.db})
		note(wrongSvc.Resolve(ctx, "payroll", runway.EnvProduction, []string{"SLACK_BOT_TOKEN"}))
		note(NewEnvelope(f.db, wrong).CheckKeys(ctx))
		var ct []byte
		must(t, f.queryRow(`SELECT ciphertext FROM app_secrets WHERE env = '' AND name = 'STRIPE_API_KEY' AND app_id = (SELECT id FROM apps WHERE name = 'expenses')`).Scan(&ct))
		ct[len(ct)-1] ^= 1
		f.exec(t, `UPDATE app_secrets SET ciphertext = ? WHERE env = '' AND name = 'STRIPE_API_KEY' AND app_id = (SELECT id FROM apps WHERE name = 'expenses')`, ct)
		note(svc.Resolve(ctx, "expenses", runway.EnvStaging, []string{"STRIPE_API_KEY"}))
		var wk []byte
		must(t, f.queryRow(`SELECT ciphertext, wrapped_key FROM app_secrets WHERE env = 'production' AND name = 'SLACK_BOT_TOKEN' AND app_id = (SELECT id FROM apps WHERE name = 'payroll')`).Scan(&ct, &wk))
		f.exec(t, `UPDATE app_secrets SET ciphertext = ?, wrapped_key = ? WHERE env = 'production' AND name = 'SLACK_BOT_TOKEN' AND app_id = (SELECT id FROM apps WHERE name = 'expenses')`, ct, wk)
		note(svc.Resolve(ctx, "expenses", runway.EnvProduction, []string{"SLACK_BOT_TOKEN"}))

		// A rotation that meets the tampered secret stops; once it is
		// deleted, the rotation finishes.
		r, err := env.Rotate(ctx, newKey)
		note(r, err)
		must(t, svc.Delete(ctx, runway.SecretRef{App: "expenses", Name: "STRIPE_API_KEY"}))
		must(t, svc.Delete(ctx, runway.SecretRef{App: "expenses", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}))
		note(svc.Delete(ctx, runway.SecretRef{App: "expenses", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}))
		r, err = env.Rotate(ctx, newKey)
		must(t, err)
		note(r)
		if len(r.Remaining) != 0 {
			t.Errorf("rotation left %v", r.Remaining)
		}
		got, err = svc.Resolve(ctx, "payroll", runway.EnvStaging, []string{"SLACK_BOT_TOKEN"})
		must(t, err)
		if got["SLACK_BOT_TOKEN"] != planted[runway.SecretRef{App: "payroll", Name: "SLACK_BOT_TOKEN"}] {
			t.Error("a rotated secret resolved to the wrong value")
		}

		// The audit trail, with the actions it must hold.
		actions := map[string]int{}
		for _, e := range f.audit(t) {
			actions[e.Action]++
			note(e, string(e.Data), e.Subject)
		}
		for _, a := range []string{"secret.set", "secret.delete", "secret.rotate", "secret.resolve"} {
			if actions[a] == 0 {
				t.Errorf("no %s entry in the audit trail: %v", a, actions)
			}
		}
		note(f.logs.String())
		if !strings.Contains(f.logs.String(), `"msg":"secret set"`) {
			t.Errorf("the log has no line for a set:\n%s", f.logs)
		}
		note(databaseBytes(t, f))

		var forms []string
		for _, c := range canaries {
			forms = append(forms, c, base64.StdEncoding.EncodeToString([]byte(c)), hex.EncodeToString([]byte(c)))
		}
		all := strings.Join(seen, "\n")
		for _, c := range forms {
			if strings.Contains(all, c) {
				i := strings.Index(all, c)
				t.Errorf("canary %q leaked, in: …%s…", c, all[max(0, i-200):min(len(all), i+len(c)+50)])
			}
		}
		if len(seen) < 60 {
			t.Errorf("only %d outputs examined", len(seen))
		}
	})
}

// databaseBytes returns what the database holds: SQLite's files as they
// are on disk, or every row of PostgreSQL's tables as text.
func databaseBytes(t *testing.T, f *fixture) string {
	t.Helper()
	if f.dialect == sqlstore.SQLite {
		var b bytes.Buffer
		for _, suffix := range []string{"", "-wal"} {
			data, err := os.ReadFile(f.path + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			b.Write(data)
		}
		return b.String()
	}
	var b strings.Builder
	for _, table := range []string{"app_secrets", "audit_entries", "apps", "server_secrets"} {
		rows, err := f.raw.Query(`SELECT t::text FROM ` + table + ` t`)
		must(t, err)
		for rows.Next() {
			var s string
			must(t, rows.Scan(&s))
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}
