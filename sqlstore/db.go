// Package sqlstore keeps Runway's server state in SQLite (the default, one
// file on one machine) or PostgreSQL (the scale path, shared by several
// `runway up` processes). Both run the same hand-written SQL, written with
// `?` placeholders and rebound for PostgreSQL, and the same numbered
// migrations, one set per dialect with identical names.
//
// Every change is written with its audit entry in one transaction: no audit
// entry, no change. Business rules (who may do what) are not here; they live
// in the use-case packages that call the store.
//
// sqlstore imports only the root runway package.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/runwayhq/runway"
)

// Dialect names a database engine.
type Dialect string

// Dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options configure Open.
type Options struct {
	// URL is "postgres://..." (or "postgresql://...") for PostgreSQL, or a
	// SQLite file path, with or without a "sqlite://" or "file:" prefix.
	URL string
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// CrashAfter, for durability tests only, kills the process (SIGKILL)
	// right after its CrashAfter-th committed deployment change: an
	// approval that starts a deployment, or a deployment's transition.
	// Zero never crashes.
	CrashAfter int
}

// DB is an open store. Its methods implement the root package's store
// interfaces.
type DB struct {
	dialect Dialect
	write   *sql.DB // every change goes through here
	read    *sql.DB // reads; the same pool as write on PostgreSQL
	now     func() time.Time
	outbox  OutboxFunc // where notices go; nil drops them
	steps   StepFunc   // where deployment steps go; nil drops them
	// crashAfter and deployCommits implement Options.CrashAfter.
	crashAfter    int64
	deployCommits atomic.Int64
}

// Open connects to the database, applies pending migrations and returns the
// store. The error says which database could not be opened and why.
func Open(ctx context.Context, o Options) (*DB, error) {
	db := &DB{now: o.Now, crashAfter: int64(o.CrashAfter)}
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	switch {
	case strings.HasPrefix(o.URL, "postgres://"), strings.HasPrefix(o.URL, "postgresql://"):
		err = db.openPostgres(o.URL)
	case o.URL == "":
		return nil, runway.Errorf(runway.EINVALID, "no database given: pass a SQLite file path or a postgres:// URL")
	default:
		err = db.openSQLite(o.URL)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openSQLite opens one writer connection (SQLite serialises writers anyway;
// one connection makes waits queue in Go instead of failing busy) and a
// pool of readers, with durable settings: WAL, synchronous FULL, foreign
// keys, and a busy timeout set first.
func (db *DB) openSQLite(path string) error {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("open SQLite database %q: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + abs + "?" + q.Encode()
	db.dialect = SQLite
	if db.write, err = sql.Open("sqlite", dsn); err != nil {
		return fmt.Errorf("open SQLite database %q: %w", abs, err)
	}
	db.write.SetMaxOpenConns(1)
	q.Add("_pragma", "query_only(1)")
	// Readers map the file instead of copying pages through SQLite's page
	// cache, whose lock the readers otherwise contend on.
	q.Add("_pragma", "mmap_size(268435456)")
	q.Set("_txlock", "deferred")
	if db.read, err = sql.Open("sqlite", "file:"+abs+"?"+q.Encode()); err != nil {
		db.write.Close()
		return fmt.Errorf("open SQLite database %q: %w", abs, err)
	}
	db.read.SetMaxOpenConns(4)
	db.read.SetMaxIdleConns(4)
	if err := db.write.Ping(); err != nil {
		db.Close()
		return unavailable(fmt.Sprintf("cannot open the SQLite database %s", abs), err)
	}
	return nil
}

func (db *DB) openPostgres(u string) error {
	var err error
	db.dialect = Postgres
	if db.write, err = sql.Open("pgx", u); err != nil {
		return runway.Errorf(runway.EINVALID, "bad PostgreSQL URL: %v", err)
	}
	// Keep as many idle connections as open ones: the default keeps two,
	// so every burst of requests started new PostgreSQL server processes
	// (bench/api-load.sh: list p99 960 ms before, about 20 ms after).
	db.write.SetMaxOpenConns(20)
	db.write.SetMaxIdleConns(20)
	db.write.SetConnMaxIdleTime(5 * time.Minute)
	db.read = db.write
	if err := db.write.Ping(); err != nil {
		db.write.Close()
		return unavailable(fmt.Sprintf("cannot reach PostgreSQL at %s", redactURL(u)), err)
	}
	return nil
}

// Dialect says which engine the store runs on.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return unavailable("the database does not answer", err)
	}
	return nil
}

// Close closes the connections.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// redactURL drops the password from a database URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// rebind turns `?` placeholders into PostgreSQL's `$1, $2...`. The SQL in
// this package never has a `?` inside a string literal.
func (db *DB) rebind(query string) string {
	if db.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// persisted counts a committed deployment change and, when Options.
// CrashAfter says so, kills the process right there, as a power cut
// would: the durability tests restart the server and check that nothing
// is stuck, lost or done twice.
func (db *DB) persisted() {
	if db.crashAfter > 0 && db.deployCommits.Add(1) == db.crashAfter {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}
