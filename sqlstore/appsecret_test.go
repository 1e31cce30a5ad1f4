package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
)

// The store keeps sealed bytes it cannot read; these tests give it opaque
// bytes. secrets' tests run the real encryption over both databases.

func TestSQLiteAppSecrets(t *testing.T) {
	t.Parallel()
	testAppSecrets(t, func(t *testing.T, now func() time.Time) *sqlstore.DB { return openSQLite(t, now) })
}

func TestPostgresAppSecrets(t *testing.T) {
	t.Parallel()
	postgresURL(t)
	testAppSecrets(t, openPostgres)
}

func testAppSecrets(t *testing.T, open func(*testing.T, func() time.Time) *sqlstore.DB) {
	tests := map[string]func(*testing.T, *sqlstore.DB, *runwaytest.Clock){
		"put, find, list":             testPutSecrets,
		"delete":                      testDeleteSecret,
		"refused changes, no audit":   testRefusedSecretChanges,
		"rewrap in batches":           testRewrapSecrets,
		"rewrap error rolls back":     testRewrapRollsBack,
		"rewrap writes only the keys": testRewrapWritesOnlyKeys,
		"concurrent sets":             testConcurrentSecretSets,
	}
	for name, test := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := runwaytest.NewClock()
			db := open(t, clock.Now)
			must(t, db.CreateTeam(runwaytest.Ctx, &runway.Team{Name: "finance"}))
			for _, app := range []string{"payroll", "expenses"} {
				must(t, db.CreateApp(runwaytest.Ctx, &runway.App{Name: app, Team: "finance", Tier: 2, Manifest: runway.Manifest{Name: app}}))
			}
			test(t, db, clock)
		})
	}
}

func sealed(app string, env runway.Environment, name, key string, body byte) *runway.SealedSecret {
	return &runway.SealedSecret{
		SecretInfo: runway.SecretInfo{SecretRef: runway.SecretRef{App: app, Env: env, Name: name}},
		KeyID:      key, WrappedKey: []byte{1, body, 0, 0xff}, Ciphertext: []byte{1, body, body, 0},
	}
}

// secretAudit returns the secret entries of the trail, checking the chain.
func secretAudit(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	if _, err := runway.VerifyAudit(runwaytest.Ctx, db); err != nil {
		t.Fatal(err)
	}
	entries, err := db.AuditEntries(runwaytest.Ctx, runway.AuditFilter{Page: runway.Page{Limit: 1000}})
	must(t, err)
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "secret.") {
			out = append(out, e.Action+" "+e.Subject+" "+string(e.Data))
		}
	}
	return out
}

func testPutSecrets(t *testing.T, db *sqlstore.DB, clock *runwaytest.Clock) {
	first := sealed("payroll", "", "SLACK_BOT_TOKEN", "mk_a", 1)
	must(t, db.PutSealedSecret(runwaytest.Ctx, first))
	clock.Advance(time.Minute)
	second := sealed("payroll", "", "SLACK_BOT_TOKEN", "mk_b", 2)
	must(t, db.PutSealedSecret(runway.WithActor(context.Background(), "user:bo@example.com"), second))
	must(t, db.PutSealedSecret(runwaytest.Ctx, sealed("payroll", runway.EnvProduction, "SLACK_BOT_TOKEN", "mk_b", 3)))
	must(t, db.PutSealedSecret(runwaytest.Ctx, sealed("payroll", runway.EnvSandbox, "API_KEY", "mk_b", 4)))
	must(t, db.PutSealedSecret(runwaytest.Ctx, sealed("expenses", runway.EnvProduction, "SLACK_BOT_TOKEN", "mk_b", 5)))
	if first.Version != 1 || second.Version != 2 || !second.CreatedAt.Equal(first.CreatedAt) ||
		second.UpdatedAt.Sub(first.UpdatedAt) != time.Minute || second.UpdatedBy != "user:bo@example.com" {
		t.Errorf("versions:\n%+v\n%+v", first.SecretInfo, second.SecretInfo)
	}

	list, err := db.FindSecrets(runwaytest.Ctx, "payroll")
	must(t, err)
	var got []string
	for _, i := range list {
		got = append(got, i.SecretRef.String()+" v"+string(rune('0'+i.Version))+" "+i.UpdatedBy)
	}
	want := []string{
		"payroll/sandbox/API_KEY v1 user:tester@example.com",
		"payroll/*/SLACK_BOT_TOKEN v2 user:bo@example.com",
		"payroll/production/SLACK_BOT_TOKEN v1 user:tester@example.com",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindSecrets (-want +got):\n%s", diff)
	}
	if list, err := db.FindSecrets(runwaytest.Ctx, "ghost"); err != nil || len(list) != 0 {
		t.Errorf("an unknown app: %v, %v", list, err)
	}

	refs := []runway.SecretRef{
		{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"},
		{App: "payroll", Name: "SLACK_BOT_TOKEN"},
		{App: "payroll", Name: "SLACK_BOT_TOKEN"},
		{App: "payroll", Env: runway.EnvStaging, Name: "SLACK_BOT_TOKEN"}, // none
		{App: "payroll", Env: runway.EnvProduction, Name: "API_KEY"},      // none: sandbox only
		{App: "expenses", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"},
		{App: "ghost", Name: "SLACK_BOT_TOKEN"},
	}
	found, err := db.FindSealedSecrets(runwaytest.Ctx, refs)
	must(t, err)
	byRef := map[string]*runway.SealedSecret{}
	for _, s := range found {
		byRef[s.SecretRef.String()] = s
	}
	if len(found) != 3 || byRef["payroll/*/SLACK_BOT_TOKEN"] == nil || byRef["payroll/production/SLACK_BOT_TOKEN"] == nil || byRef["expenses/production/SLACK_BOT_TOKEN"] == nil {
		t.Fatalf("FindSealedSecrets found %v", byRef)
	}
	s := byRef["payroll/*/SLACK_BOT_TOKEN"]
	if s.KeyID != "mk_b" || !bytes.Equal(s.WrappedKey, second.WrappedKey) || !bytes.Equal(s.Ciphertext, second.Ciphertext) || s.Version != 2 {
		t.Errorf("sealed bytes did not round-trip: %+v", s)
	}
	use, err := db.CountSecretKeys(runwaytest.Ctx)
	must(t, err)
	if diff := cmp.Diff(map[string]int{"mk_b": 4}, use); diff != "" {
		t.Errorf("CountSecretKeys (-want +got):\n%s", diff)
	}
	audit := secretAudit(t, db)
	if len(audit) != 5 || audit[1] != `secret.set secret:payroll/*/SLACK_BOT_TOKEN {"key_id":"mk_b","version":2}` {
		t.Errorf("audit:\n%s", strings.Join(audit, "\n"))
	}
}

func testDeleteSecret(t *testing.T, db *sqlstore.DB, _ *runwaytest.Clock) {
	must(t, db.PutSealedSecret(runwaytest.Ctx, sealed("payroll", runway.EnvProduction, "SLACK_BOT_TOKEN", "mk_a", 1)))
	must(t, db.PutSealedSecret(runwaytest.Ctx, sealed("payroll", runway.EnvProduction, "SLACK_BOT_TOKEN", "mk_a", 2)))
	must(t, db.PutSealedSecret(runwaytest.Ctx, sealed("payroll", "", "SLACK_BOT_TOKEN", "mk_a", 3)))
	ref := runway.SecretRef{App: "payroll", Env: runway.EnvProduction, Name: "SLACK_BOT_TOKEN"}
	must(t, db.DeleteSecret(runwaytest.Ctx, ref))
	for _, r := range []runway.SecretRef{ref, {App: "expenses", Name: "SLACK_BOT_TOKEN"}, {App: "ghost", Name: "A"}} {
		err := db.DeleteSecret(runwaytest.Ctx, r)
		if runway.ErrorCode(err) != runway.ENOTFOUND || !strings.Contains(err.Error(), "has no secret") {
			t.Errorf("delete %s again: %v", r, err)
		}
	}
	list, _ := db.FindSecrets(runwaytest.Ctx, "payroll")
	if len(list) != 1 || list[0].Env != "" {
		t.Errorf("after delete: %v", list)
	}
	// Set again, it starts over at version 1.
	again := sealed("payroll", runway.EnvProduction, "SLACK_BOT_TOKEN", "mk_a", 4)
	must(t, db.PutSealedSecret(runwaytest.Ctx, again))
	if again.Version != 1 {
		t.Errorf("version after delete: %d", again.Version)
	}
	audit := secretAudit(t, db)
	if len(audit) != 5 || audit[3] != `secret.delete secret:payroll/production/SLACK_BOT_TOKEN {"version":2}` {
		t.Errorf("audit:\n%s", strings.Join(audit, "\n"))
	}
}

func testRefusedSecretChanges(t *testing.T, db *sqlstore.DB, _ *runwaytest.Clock) {
	ok := sealed("payroll", "", "SLACK_BOT_TOKEN", "mk_a", 1)
	unsealed := sealed("payroll", "", "SLACK_BOT_TOKEN", "mk_a", 1)
	unsealed.Ciphertext = nil
	noKey := sealed("payroll", "", "SLACK_BOT_TOKEN", "", 1)
	cases := map[string]struct {
		ctx  context.Context
		s    *runway.SealedSecret
		code string
	}{
		"no actor":     {context.Background(), ok, runway.EINTERNAL},
		"unknown app":  {runwaytest.Ctx, sealed("ghost", "", "A", "mk_a", 1), runway.ENOTFOUND},
		"bad name":     {runwaytest.Ctx, sealed("payroll", "", "lower", "mk_a", 1), runway.EINVALID},
		"bad env":      {runwaytest.Ctx, sealed("payroll", "prod", "A", "mk_a", 1), runway.EINVALID},
		"unsealed":     {runwaytest.Ctx, unsealed, runway.EINTERNAL},
		"no key id":    {runwaytest.Ctx, noKey, runway.EINTERNAL},
		"bad app name": {runwaytest.Ctx, sealed("Pay Roll", "", "A", "mk_a", 1), runway.EINVALID},
	}
	for name, c := range cases {
		if err := db.PutSealedSecret(c.ctx, c.s); runway.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	must(t, db.PutSealedSecret(runwaytest.Ctx, ok))
	if err := db.DeleteSecret(context.Background(), ok.SecretRef); runway.ErrorCode(err) != runway.EINTERNAL {
		t.Errorf("delete without an actor: %v", err)
	}
	if list, _ := db.FindSecrets(runwaytest.Ctx, "payroll"); len(list) != 1 {
		t.Errorf("stored %d secrets", len(list))
	}
	if audit := secretAudit(t, db); len(audit) != 1 {
		t.Errorf("audit:\n%s", strings.Join(audit, "\n"))
	}
}

// rewrapTo returns a rewrap function that moves a secret to key.
func rewrapTo(key string) func(*runway.SealedSecret) error {
	return func(s *runway.SealedSecret) error {
		s.WrappedKey = append([]byte(key), s.WrappedKey...)
		s.KeyID = key
		return nil
	}
}

func plantSecrets(t *testing.T, db *sqlstore.DB, n int) {
	t.Helper()
	for i := range n {
		name := "SECRET_" + string(rune('A'+i))
		must(t, db.PutSealedSecret(runwaytest.Ctx, sealed("payroll", "", name, "mk_old", byte(i))))
	}
}

func testRewrapSecrets(t *testing.T, db *sqlstore.DB, _ *runwaytest.Clock) {
	plantSecrets(t, db, 5)
	must(t, db.PutSealedSecret(runwaytest.Ctx, sealed("expenses", "", "SECRET_Z", "mk_new", 9)))
	var batches []int
	for {
		n, err := db.RewrapSecrets(runwaytest.Ctx, "mk_new", 2, rewrapTo("mk_new"))
		must(t, err)
		if n == 0 {
			break
		}
		batches = append(batches, n)
	}
	if diff := cmp.Diff([]int{2, 2, 1}, batches); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	use, _ := db.CountSecretKeys(runwaytest.Ctx)
	if diff := cmp.Diff(map[string]int{"mk_new": 6}, use); diff != "" {
		t.Errorf("key use (-want +got):\n%s", diff)
	}
	found, err := db.FindSealedSecrets(runwaytest.Ctx, []runway.SecretRef{{App: "payroll", Name: "SECRET_C"}})
	must(t, err)
	if len(found) != 1 || !bytes.Equal(found[0].WrappedKey, []byte{'m', 'k', '_', 'n', 'e', 'w', 1, 2, 0, 0xff}) || found[0].Version != 1 {
		t.Errorf("rewrapped: %+v", found)
	}
	audit := secretAudit(t, db)
	want := `secret.rotate master_key:mk_new {"secrets":[{"from_key":"mk_old","secret":"payroll/*/SECRET_A","version":1},{"from_key":"mk_old","secret":"payroll/*/SECRET_B","version":1}],"to_key":"mk_new"}`
	if len(audit) != 9 || audit[6] != want {
		t.Errorf("audit:\n%s\nwant entry 7:\n%s", strings.Join(audit, "\n"), want)
	}
}

func testRewrapRollsBack(t *testing.T, db *sqlstore.DB, _ *runwaytest.Clock) {
	plantSecrets(t, db, 3)
	calls := 0
	boom := errors.New("cannot open")
	_, err := db.RewrapSecrets(runwaytest.Ctx, "mk_new", 10, func(s *runway.SealedSecret) error {
		if calls++; calls == 2 {
			return boom
		}
		return rewrapTo("mk_new")(s)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("RewrapSecrets: %v", err)
	}
	_, err = db.RewrapSecrets(runwaytest.Ctx, "mk_new", 10, rewrapTo("mk_other"))
	if runway.ErrorCode(err) != runway.EINTERNAL {
		t.Errorf("a rewrap to the wrong key: %v", err)
	}
	if _, err := db.RewrapSecrets(context.Background(), "mk_new", 10, rewrapTo("mk_new")); runway.ErrorCode(err) != runway.EINTERNAL {
		t.Errorf("a rewrap without an actor: %v", err)
	}
	use, _ := db.CountSecretKeys(runwaytest.Ctx)
	if diff := cmp.Diff(map[string]int{"mk_old": 3}, use); diff != "" {
		t.Errorf("after failed batches (-want +got):\n%s", diff)
	}
	if audit := secretAudit(t, db); len(audit) != 3 {
		t.Errorf("audit:\n%s", strings.Join(audit, "\n"))
	}
}

func testRewrapWritesOnlyKeys(t *testing.T, db *sqlstore.DB, _ *runwaytest.Clock) {
	plantSecrets(t, db, 1)
	_, err := db.RewrapSecrets(runwaytest.Ctx, "mk_new", 10, func(s *runway.SealedSecret) error {
		s.Ciphertext, s.Version, s.UpdatedBy = []byte("changed"), 7, "someone"
		return rewrapTo("mk_new")(s)
	})
	must(t, err)
	found, err := db.FindSealedSecrets(runwaytest.Ctx, []runway.SecretRef{{App: "payroll", Name: "SECRET_A"}})
	must(t, err)
	if len(found) != 1 || !bytes.Equal(found[0].Ciphertext, []byte{1, 0, 0, 0}) || found[0].Version != 1 || found[0].UpdatedBy != "user:tester@example.com" || found[0].KeyID != "mk_new" {
		t.Errorf("after rewrap: %+v", found)
	}
}

// testConcurrentSecretSets sets one secret from several goroutines: every
// set gets its own version and its own audit entry.
func testConcurrentSecretSets(t *testing.T, db *sqlstore.DB, _ *runwaytest.Clock) {
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := range 8 {
		wg.Go(func() {
			for i := range 5 {
				errs <- db.PutSealedSecret(runwaytest.Ctx, sealed("payroll", "", "SLACK_BOT_TOKEN", "mk_a", byte(g*5+i)))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	list, _ := db.FindSecrets(runwaytest.Ctx, "payroll")
	if len(list) != 1 || list[0].Version != 40 {
		t.Errorf("after 40 concurrent sets: %+v", list)
	}
	seen := map[string]bool{}
	for _, e := range secretAudit(t, db) {
		seen[e] = true
	}
	if len(seen) != 40 {
		t.Errorf("%d distinct secret.set entries, want 40", len(seen))
	}
}
