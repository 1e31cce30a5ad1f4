package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// migrations holds one folder per dialect with the same numbered file names
// (a test keeps the sets identical).
//
//go:embed migrations
var migrations embed.FS

// migrationNames returns a dialect's migration files in order.
func migrationNames(d Dialect) ([]string, error) {
	names, err := fs.Glob(migrations, path.Join("migrations", string(d), "*.sql"))
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		names[i] = path.Base(n)
	}
	slices.Sort(names)
	return names, nil
}

// migrate applies the migrations not yet recorded, each in its own
// transaction with its record. On PostgreSQL an advisory lock makes
// processes starting together take turns (SQLite's write transactions
// already do), even over creating the record table.
func (db *DB) migrate(ctx context.Context) error {
	names, err := migrationNames(db.dialect)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := db.applyMigration(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, name string) error {
	body, err := migrations.ReadFile(path.Join("migrations", string(db.dialect), name))
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if db.dialect == Postgres {
			// The bytes of "Runway" as a number: one lock id for all migrations.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(90664317968761)`); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			name       TEXT   PRIMARY KEY,
			applied_at BIGINT NOT NULL
		)`); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE name = ?`), name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`), name, db.now().UnixMicro())
		return err
	})
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return unavailable("cannot start a database transaction", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return unavailable("cannot commit the change to the database", err)
	}
	return nil
}
