package jobs_test

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/runwayhq/runway/jobs"
	"github.com/runwayhq/runway/runwaytest"
)

var (
	postgresURL = runwaytest.PostgresURL
	freshSchema = runwaytest.FreshSchema
)

// dialect is one database a test runs on: newURL gives a fresh, empty one.
type dialect struct {
	name   string
	newURL func(t testing.TB) string
}

var dialects = []dialect{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "runway.db") }},
	{"postgres", freshSchema},
}

// openQueue opens a queue with test settings and closes it at the end.
func openQueue(t testing.TB, u string, o jobs.Options) *jobs.Queue {
	t.Helper()
	o.URL = u
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if o.PollInterval == 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	q, err := jobs.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// openDB opens a database/sql pool on the queue's database, as the store
// does: on SQLite like the store's writer (one connection, busy timeout,
// WAL, synchronous FULL, write lock taken at BEGIN).
func openDB(t testing.TB, u string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", u
	if filepath.IsAbs(u) {
		driver = "sqlite"
		dsn = "file:" + u + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if driver == "sqlite" {
		db.SetMaxOpenConns(1) // the store's single writer
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryInt runs a query returning one integer.
func queryInt(t testing.TB, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// receive waits for a value on ch, failing the test after within.
func receive[T any](t testing.TB, ch <-chan T, within time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(within):
		t.Fatalf("waited %v for %s", within, what)
		panic("unreachable")
	}
}
