package sqlstore_test

import (
	"context"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
)

// openSQLite returns a new store in a temporary folder.
func openSQLite(t *testing.T, now func() time.Time) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: filepath.Join(t.TempDir(), "runway.db"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var (
	postgresURL = runwaytest.PostgresURL
	freshSchema = runwaytest.FreshSchema
)

func openPostgres(t *testing.T, now func() time.Time) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: freshSchema(t), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLiteConformance(t *testing.T) {
	t.Parallel()
	runwaytest.StoreSuite(t, func(t *testing.T, now func() time.Time) runwaytest.Store { return openSQLite(t, now) })
}

func TestPostgresConformance(t *testing.T) {
	t.Parallel()
	postgresURL(t)
	runwaytest.StoreSuite(t, func(t *testing.T, now func() time.Time) runwaytest.Store { return openPostgres(t, now) })
}

// TestPostgresProcessesMigrateTogether opens several stores on one empty
// schema at once, as several `runway up` processes starting together do:
// each migration must apply exactly once.
func TestPostgresProcessesMigrateTogether(t *testing.T) {
	t.Parallel()
	postgresURL(t)
	u := freshSchema(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: u})
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestSQLiteReopen keeps data across a restart and does not migrate twice.
func TestSQLiteReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "runway.db")
	for i := range 2 {
		db, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: "sqlite://" + path})
		must(t, err)
		if i == 0 {
			must(t, db.CreateTeam(runwaytest.Ctx, &runway.Team{Name: "web"}))
		} else if _, err := db.FindTeam(runwaytest.Ctx, "web"); err != nil {
			t.Fatalf("after reopening: %v", err)
		}
		must(t, db.Close())
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                                       "no database given",
		"postgres://nobody:secret@127.0.0.1:1/x": "cannot reach PostgreSQL at postgres://nobody:xxxxx@127.0.0.1:1/x",
		filepath.Join(t.TempDir(), "missing", "r.db"): "cannot open the SQLite database",
	}
	for u, want := range cases {
		_, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: u})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(runway.ErrorMessage(err), "secret") {
			t.Errorf("Open(%q) = %v, want %q (and no password)", u, err, want)
		}
	}
}

func TestServerSecret(t *testing.T) {
	t.Parallel()
	db := openSQLite(t, nil)
	ctx := runway.WithActor(context.Background(), "system")
	a, err := db.ServerSecret(ctx, "session")
	must(t, err)
	b, err := db.ServerSecret(ctx, "session")
	must(t, err)
	c, err := db.ServerSecret(ctx, "other")
	must(t, err)
	if len(a) != 32 || string(a) != string(b) || string(a) == string(c) {
		t.Fatalf("secrets: %x %x %x", a, b, c)
	}
	entries, err := db.AuditEntries(ctx, runway.AuditFilter{})
	must(t, err)
	if len(entries) != 2 || entries[0].Action != "server_secret.create" || strings.Contains(string(entries[0].Data), hex.EncodeToString(a)) {
		t.Fatalf("audit entries: %+v", entries)
	}
}
