package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/runwayhq/runway"
)

// openSQLite opens the queue's own pool on the store's file with the store's
// durable settings (busy timeout first, WAL, synchronous FULL, foreign keys,
// write transactions that take the lock at BEGIN) and one connection, as
// River's SQLite driver asks: River runs its services in parallel and SQLite
// has one writer, so a second connection would only meet SQLITE_BUSY. The
// store's writer and this pool wait for each other through busy_timeout.
func (q *Queue) openSQLite(ctx context.Context, path string, cfg *river.Config) error {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("open job queue on SQLite database %q: %w", path, err)
	}
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous(FULL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+abs+"?"+v.Encode())
	if err != nil {
		return fmt.Errorf("open job queue on SQLite database %q: %w", abs, err)
	}
	db.SetMaxOpenConns(1)
	q.dialect, q.closeDB = "sqlite", func() { db.Close() }
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return unavailable(fmt.Sprintf("open job queue: cannot open the SQLite database %s", abs), err)
	}
	driver := riversqlite.New(db)
	if err := migrate(ctx, driver, cfg.Logger); err != nil {
		db.Close()
		return err
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		db.Close()
		return fmt.Errorf("open job queue: %w", err)
	}
	q.client, q.sqlTx = client, client
	return nil
}

// openPostgres works jobs through pgx (River's most mature driver, with
// LISTEN/NOTIFY) and keeps an insert-only database/sql client for
// EnqueueTx, whose transactions come from the store's database/sql pool;
// that client needs no pool of its own.
func (q *Queue) openPostgres(ctx context.Context, u string, cfg *river.Config) error {
	pc, err := pgxpool.ParseConfig(u)
	if err != nil {
		return runway.Errorf(runway.EINVALID, "open job queue: bad PostgreSQL URL: %v", err)
	}
	// River holds one connection for LISTEN, one for the leader's
	// maintenance and one per fetch or completion batch; pgxpool's default
	// (4 on two cores) would make them queue for each other.
	if !strings.Contains(u, "pool_max_conns") {
		pc.MaxConns = 10
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return runway.Errorf(runway.EINVALID, "open job queue: bad PostgreSQL URL: %v", err)
	}
	q.dialect, q.closeDB = "postgres", pool.Close
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return unavailable(fmt.Sprintf("open job queue: cannot reach PostgreSQL at %s", redactURL(u)), err)
	}
	if err := migratePostgres(ctx, pool, cfg.Logger); err != nil {
		pool.Close()
		return err
	}
	client, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		pool.Close()
		return fmt.Errorf("open job queue: %w", err)
	}
	sqlTx, err := river.NewClient(riverdatabasesql.New(nil), insertOnly(cfg))
	if err != nil {
		pool.Close()
		return fmt.Errorf("open job queue: %w", err)
	}
	q.client, q.pgxTx, q.sqlTx = client, client, sqlTx
	return nil
}

// migrationLockID is the PostgreSQL advisory lock that makes processes
// starting together take turns at River's migrations, which do not lock by
// themselves. The bytes spell "RunwayJb"; the store uses another id.
const migrationLockID = 0x52756e7761794a62

// migratePostgres runs River's migrations under a session advisory lock
// held on one connection while the migrator uses others.
func migratePostgres(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return unavailable("open job queue: cannot reach PostgreSQL", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLockID)); err != nil {
		return fmt.Errorf("migrate job queue: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLockID))
	return migrate(ctx, riverpgxv5.New(pool), log)
}

// migrate applies River's pending migrations for the driver's dialect.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], log *slog.Logger) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

func unavailable(msg string, err error) error {
	return &runway.Error{Code: runway.EUNAVAILABLE, Message: msg, Err: err}
}

// redactURL drops the password from a database URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Compile-time checks that both client types serve as the working client.
var (
	_ riverClient = (*river.Client[*sql.Tx])(nil)
	_ riverClient = (*river.Client[pgx.Tx])(nil)
)
