package runwaytest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// PostgresURL returns RUNWAY_TEST_POSTGRES_URL. Without it a PostgreSQL
// test skips, except in CI (CI set), where that is a failure: .ci/run sets
// it, and a green run must not hide a database that was never tested.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("RUNWAY_TEST_POSTGRES_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("RUNWAY_TEST_POSTGRES_URL is not set in CI: .ci/run must set it")
		}
		t.Skip("set RUNWAY_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL tests")
	}
	return u
}

// FreshSchema creates an empty schema for one test and returns a URL whose
// connections use it (search_path); the schema is dropped when the test
// ends.
func FreshSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "runway_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create test schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		if admin, err := sql.Open("pgx", base); err == nil {
			admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			admin.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
