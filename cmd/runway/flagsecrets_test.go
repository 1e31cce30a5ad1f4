package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/secrets"
	"github.com/runwayhq/runway/sqlstore"
)

// TestFlagsAndSecretsEndToEnd runs `runway up` and uses it as a team
// does: a team lead sets secrets from standard input, a developer makes a
// flag, turns it on in staging and makes a flag key, and the app
// evaluates the flag over OFREP with that key. Canary values planted as
// secrets must appear in no log, answer, audit entry or CLI output. Then
// the master key is rotated on the database, and the server starts with
// the new key only.
func TestFlagsAndSecretsEndToEnd(t *testing.T) {
	data := t.TempDir()
	up := startUp(t, "--data", data, "--demo")
	// No master key was configured: one was made in the data folder,
	// readable by the server only, and the log says so.
	keyFile := filepath.Join(data, masterKeyFile)
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the data folder's master key: %v %v", fi, err)
	}
	if !strings.Contains(up.log.String(), "made a new secrets master key") {
		t.Fatalf("the log does not say a master key was made:\n%s", up.log)
	}
	tokens := people(t, filepath.Join(data, "runway.db"), map[string]runway.RoleGrant{
		"lead": {Role: runway.RoleTeamLead, Team: "web"}, "dev": {Role: runway.RoleDeveloper, Team: "web"},
	})
	canaries := []string{"canary-staging-" + runway.NewTokenSecret(), "canary-every-" + runway.NewTokenSecret(), "canary-v2-" + runway.NewTokenSecret()}
	var seen []string // every CLI output and HTTP answer
	run := func(token, stdin string, args ...string) result {
		t.Helper()
		r := up.remote(t, token, stdin, args...)
		seen = append(seen, r.stdout, r.stderr)
		return r
	}
	must := func(r result, want ...string) result {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("output lacks %q:\n%s", w, r.stdout)
			}
		}
		return r
	}
	refused := func(r result, want string) {
		t.Helper()
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("exit %d, want a refusal saying %q:\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}

	// Secrets, from standard input.
	must(run(tokens["lead"], canaries[0]+"\n", "secrets", "set", "team-wiki", "SLACK_BOT_TOKEN", "--env", "staging"), "Set SLACK_BOT_TOKEN of team-wiki for staging: version 1.")
	must(run(tokens["lead"], canaries[1], "secrets", "set", "team-wiki", "SLACK_BOT_TOKEN"), "for every environment: version 1.")
	must(run(tokens["lead"], canaries[2]+"\n", "secrets", "set", "team-wiki", "SLACK_BOT_TOKEN", "--env", "staging", "-o", "json"), `"version": 2`)
	refused(run(tokens["dev"], canaries[0], "secrets", "set", "team-wiki", "SLACK_BOT_TOKEN"), "team leads of the app's team, platform and admins may")
	refused(run(tokens["lead"], canaries[0], "secrets", "set", "team-wiki", canaries[0]), "not repeated here")
	list := must(run(tokens["dev"], "", "secrets", "list", "team-wiki"), "SLACK_BOT_TOKEN", "staging", "every environment", "user:lead@example.com", "Values are never shown")
	if !strings.Contains(list.stdout, "  2  ") {
		t.Errorf("the list lacks version 2:\n%s", list.stdout)
	}
	var infos page[runway.SecretInfo]
	if err := json.Unmarshal([]byte(must(run(tokens["dev"], "", "secrets", "list", "team-wiki", "-o", "json")).stdout), &infos); err != nil || len(infos.Items) != 2 {
		t.Fatalf("secrets list -o json: %v %+v", err, infos)
	}
	seen = append(seen, apiGet(t, up, tokens["lead"], "/api/v1/apps/team-wiki/secrets"))
	must(run(tokens["lead"], "", "secrets", "delete", "team-wiki", "SLACK_BOT_TOKEN"), "Deleted SLACK_BOT_TOKEN of team-wiki for every environment.")

	// A flag, on in staging; production stays off until a team lead.
	spec := filepath.Join(t.TempDir(), "flag.json")
	os.WriteFile(spec, []byte(`{"key": "new-checkout", "type": "boolean", "description": "the new checkout page", "enabled": false}`), 0o644)
	must(run(tokens["dev"], "", "flags", "create", "team-wiki", "-f", spec, "--env", "staging", "--env", "production"),
		"Created flag new-checkout of team-wiki in staging (off), production (off).")
	must(run(tokens["dev"], "", "flags", "on", "team-wiki", "staging", "new-checkout"), "Flag new-checkout of team-wiki is on in staging (version 2).")
	refused(run(tokens["dev"], "", "flags", "on", "team-wiki", "production", "new-checkout"), "only team leads of the app's team and admins may")
	must(run(tokens["dev"], "", "flags", "list", "team-wiki", "--env", "staging"), "new-checkout", "on")
	os.WriteFile(spec, []byte(`{"description": "the new checkout page, for staff first", "rules": [{"name": "staff", "conditions": [{"op": "in_group", "values": ["staff"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}`), 0o644)
	refused(run(tokens["dev"], "", "flags", "update", "team-wiki", "staging", "new-checkout", "-f", spec, "--version", "2"), `there is no group "staff": create it first`)
	group := filepath.Join(t.TempDir(), "group.json")
	os.WriteFile(group, []byte(`{"description": "our own people", "conditions": [{"attribute": "email", "op": "ends_with", "values": ["@example.com"]}]}`), 0o644)
	must(run(tokens["dev"], "", "flags", "groups", "set", "team-wiki", "staff", "-f", group), "Saved group staff of team-wiki: everyone whose context matches its condition.")
	must(run(tokens["dev"], "", "flags", "groups", "list", "team-wiki"), "staff", "our own people")
	must(run(tokens["dev"], "", "flags", "update", "team-wiki", "staging", "new-checkout", "-f", spec, "--version", "2"), "Updated flag new-checkout of team-wiki in staging: version 3, on.")
	refused(run(tokens["dev"], "", "flags", "update", "team-wiki", "staging", "new-checkout", "-f", spec, "--version", "2"), "changed since you read it")
	must(run(tokens["dev"], "", "flags", "get", "team-wiki", "staging", "new-checkout"), "1. staff: people in group staff → on", "Everyone else gets off.")
	must(run(tokens["dev"], "", "flags", "try", "team-wiki", "staging", "new-checkout", "--targeting-key", "bo", "--attr", "email=bo@elsewhere.org"),
		"bo gets off (false): no rule matched")
	must(run(tokens["dev"], "", "flags", "try", "team-wiki", "staging", "new-checkout", "--targeting-key", "ana@example.com", "--attr", "email=ana@example.com"),
		`ana@example.com gets on (true): the rule "staff" matched.`)

	// A flag key, and the app's evaluation over OFREP with it.
	var key struct{ Secret string }
	if err := json.Unmarshal([]byte(must(run(tokens["dev"], "", "flags", "keys", "create", "team-wiki", "staging", "web server", "-o", "json")).stdout), &key); err != nil || !runway.LooksLikeFlagKey(key.Secret) {
		t.Fatalf("flags keys create: %v %q", err, key.Secret)
	}
	status, body := evaluate(t, up, key.Secret, "new-checkout")
	seen = append(seen, body)
	if status != http.StatusOK || !strings.Contains(body, `"value":true`) || !strings.Contains(body, `"reason":"TARGETING_MATCH"`) {
		t.Fatalf("OFREP with the flag key: %d %s", status, body)
	}
	if status, _ := evaluate(t, up, tokens["dev"], "new-checkout"); status != http.StatusUnauthorized {
		t.Errorf("OFREP with an API token: %d, want 401", status)
	}
	must(run(tokens["dev"], "", "flags", "kill", "team-wiki", "staging", "new-checkout", "--reason", "checkout errors"), `everyone gets "off"`)
	waitFor(t, "the kill reaching OFREP", func() bool {
		_, body := evaluate(t, up, key.Secret, "new-checkout")
		return strings.Contains(body, `"reason":"DISABLED"`)
	})
	must(run(tokens["dev"], "", "flags", "history", "team-wiki", "staging", "new-checkout"), "created, off", "changed, on", "killed: checkout errors")
	must(run(tokens["dev"], "", "flags", "get", "team-wiki", "staging", "new-checkout"), "killed", "Killed by user:dev@example.com", "checkout errors")
	must(run(tokens["dev"], "", "flags", "keys", "revoke", "team-wiki", "1"), "Revoked flag key 1 of team-wiki")
	waitFor(t, "the revocation reaching OFREP", func() bool {
		status, _ := evaluate(t, up, key.Secret, "new-checkout")
		return status == http.StatusUnauthorized
	})

	// No value anywhere: the server's output and logs, the CLI's output,
	// the API's answers, the audit trail (which records the changes).
	audit := must(up.remote(t, up.token, "", "audit", "export"), `"action":"secret.set","subject":"secret:team-wiki/staging/SLACK_BOT_TOKEN"`, `"action":"secret.delete"`, `"action":"flag.kill"`)
	// The database holds the job queue's payloads and every event beside
	// the state: no value may be in it in the clear (only sealed).
	var dbBytes []byte
	for _, f := range []string{"runway.db", "runway.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(data, f))
		dbBytes = append(dbBytes, b...)
	}
	places := map[string]string{"the server's log": up.log.String(), "the server's output": up.out.String(), "the audit trail": audit.stdout,
		"a CLI output or API answer": strings.Join(seen, "\n"), "the database (job payloads, events, state)": string(dbBytes)}
	for where, text := range places {
		for _, c := range canaries {
			if strings.Contains(text, c) {
				t.Errorf("a secret's value appears in %s", where)
			}
		}
	}

	// Rotation, on the database: a new key, every secret re-sealed under
	// it. The old key alone no longer starts the server; the new one does,
	// and opens the values.
	up.shutdown(t)
	newKey := filepath.Join(t.TempDir(), "new.key")
	if r := cli(t, "", "secrets", "generate-key", "--out", newKey); r.code != 0 || !strings.Contains(r.stdout, "Made master key mk_") {
		t.Fatalf("generate-key: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, "", "secrets", "generate-key", "--out", newKey); r.code != exitUsage || !strings.Contains(r.stderr, "never overwritten") {
		t.Fatalf("generate-key over a key: %d %s", r.code, r.stderr)
	}
	rot := cli(t, "", "secrets", "rotate-key", "--old-key-file", keyFile, "--new-key-file", newKey, "--data", data)
	if rot.code != 0 || !strings.Contains(rot.stderr, "re-sealed 1 of 1") || !strings.Contains(rot.stdout, "Done: every app secret is sealed under mk_") {
		t.Fatalf("rotate-key: %d\n%s%s", rot.code, rot.stdout, rot.stderr)
	}
	r := cliContext(t, 30*time.Second, "up", "--addr", "127.0.0.1:0", "--data", data)
	if r.code != exitUsage || !strings.Contains(r.stderr, "does not open the stored app secrets") || !strings.Contains(r.stderr, keyFile) {
		t.Fatalf("up with the old key only: %d\n%s", r.code, r.stderr)
	}
	again := startUpEnv(t, []string{"RUNWAY_MASTER_KEY_FILE=" + newKey}, "--data", data)
	if r := again.remote(t, tokens["dev"], "", "secrets", "list", "team-wiki"); r.code != 0 || !strings.Contains(r.stdout, "SLACK_BOT_TOKEN") {
		t.Fatalf("after the rotation: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if got := openSecret(t, filepath.Join(data, "runway.db"), newKey, runway.SecretRef{App: "team-wiki", Env: runway.EnvStaging, Name: "SLACK_BOT_TOKEN"}); got != canaries[2] {
		t.Fatal("the value does not open with the new key after the rotation")
	}
	if strings.Contains(again.log.String(), canaries[2]) {
		t.Error("a secret's value appears in the restarted server's log")
	}
	// Without any key, while secrets are stored, no new key is made over
	// them: the start stops and says what to restore.
	again.shutdown(t)
	os.Remove(keyFile)
	r = cliContext(t, 30*time.Second, "up", "--addr", "127.0.0.1:0", "--data", data)
	if r.code != exitUsage || !strings.Contains(r.stderr, "is missing, but the database holds 1 app secret sealed under a key: restore") {
		t.Fatalf("up without the key: %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Error("a new master key was made while secrets sealed under another are stored")
	}
}

// TestSecretsSettings: how `runway up` refuses secrets settings it cannot
// use, without quoting key material, and the usage errors of the secrets
// and flags commands.
func TestSecretsSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose.key")
	_, text := secrets.GenerateMasterKey()
	os.WriteFile(loose, []byte(text), 0o666)
	os.Chmod(loose, 0o666)
	vaultConf := filepath.Join(dir, "vault.yaml")
	os.WriteFile(vaultConf, []byte("secrets:\n  backend: vault\n  vault: {address: \"https://vault.example.com:8200\"}\n"), 0o644)
	badKey := "correct-horse-battery-staple-canary!"
	oldKey, newKey := filepath.Join(dir, "old.key"), filepath.Join(dir, "new.key")
	for _, f := range []string{oldKey, newKey} {
		_, k := secrets.GenerateMasterKey()
		noErr(t, writeKeyFile(f, k))
	}
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"a password for a key", []string{"RUNWAY_MASTER_KEY=" + badKey}, []string{"up", "--data", t.TempDir()}, exitUsage, "RUNWAY_MASTER_KEY: the secrets master key is not usable"},
		{"a key file others may write", []string{"RUNWAY_MASTER_KEY_FILE=" + loose}, []string{"up", "--data", t.TempDir()}, exitUsage, "can be written by others"},
		{"a key and a key file", []string{"RUNWAY_MASTER_KEY=" + text, "RUNWAY_MASTER_KEY_FILE=" + loose}, []string{"up", "--data", t.TempDir()}, exitUsage, "keep one"},
		{"Vault without a token", []string{"RUNWAY_CONFIG=" + vaultConf}, []string{"up", "--data", t.TempDir()}, exitUsage, "RUNWAY_VAULT_TOKEN is not set"},
		{"set without a name", nil, []string{"secrets", "set", "notes"}, exitUsage, "expects the app's name and the secret's NAME"},
		{"a value where the name goes", []string{"RUNWAY_URL=http://127.0.0.1:1", "RUNWAY_TOKEN=rwy_x"}, []string{"secrets", "set", "notes", badKey}, exitUsage, "not repeated here"},
		{"rotate without keys", nil, []string{"secrets", "rotate-key"}, exitUsage, "--old-key-file FILE"},
		{"rotate where there is no database", nil, []string{"secrets", "rotate-key", "--old-key-file", oldKey, "--new-key-file", newKey, "--data", t.TempDir()}, exitUsage, "there is no Runway database in"},
		{"rotate to the same key", nil, []string{"secrets", "rotate-key", "--old-key-file", oldKey, "--new-key-file", oldKey}, exitUsage, "hold the same key"},
		{"generate without a file", nil, []string{"secrets", "generate-key"}, exitUsage, "--out FILE"},
		{"create without a definition", nil, []string{"flags", "create", "notes"}, exitUsage, "-f FILE"},
		{"update without the version", nil, []string{"flags", "update", "notes", "staging", "x", "-f", loose}, exitUsage, "--version N"},
		{"try with a bad attribute", []string{"RUNWAY_URL=http://127.0.0.1:1", "RUNWAY_TOKEN=rwy_x"}, []string{"flags", "try", "notes", "staging", "x", "--attr", "email"}, exitUsage, "NAME=VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out, errb bytes.Buffer
			a := &app{stdio: stdio{in: strings.NewReader(""), out: &out, err: &errb}, environ: append(testEnviron(t), tt.env...), terminal: func(any) bool { return false }}
			args := tt.args
			if args[0] == "up" {
				args = append(args, "--addr", "127.0.0.1:0")
			}
			code := a.execute(ctx, args)
			if code != tt.code || !strings.Contains(errb.String(), tt.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s%s", code, tt.code, tt.want, out.String(), errb.String())
			}
			if strings.Contains(out.String()+errb.String(), badKey) || strings.Contains(out.String()+errb.String(), text) {
				t.Error("the output quotes key material or a value")
			}
		})
	}
}

// cliContext is cli with a time limit, for a command that must fail
// rather than serve.
func cliContext(t *testing.T, limit time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var out, errb bytes.Buffer
	a := &app{stdio: stdio{in: strings.NewReader(""), out: &out, err: &errb}, environ: testEnviron(t), terminal: func(any) bool { return false }}
	code := a.execute(ctx, args)
	return result{out.String(), errb.String(), code}
}

// openSecret opens one secret's value with a master key, as the runtime
// will.
func openSecret(t *testing.T, db, keyFile string, ref runway.SecretRef) string {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	k, err := secrets.ReadMasterKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := secrets.NewEnvelope(store, k).GetSecrets(runwaytest.Ctx, []runway.SecretRef{ref})
	if err != nil || got[ref] == nil {
		t.Fatalf("open %s: %v", ref, err)
	}
	return string(got[ref].Value)
}

// evaluate asks the OFREP endpoint for one flag with a key, as an app's
// OpenFeature provider does.
func evaluate(t *testing.T, up *upProcess, key, flag string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", up.url+"/ofrep/v1/evaluate/flags/"+flag, strings.NewReader(`{"context": {"targetingKey": "ana@example.com", "email": "ana@example.com"}}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// apiGet returns the body of an API GET.
func apiGet(t *testing.T, up *upProcess, token, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", up.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
