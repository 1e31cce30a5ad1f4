//go:build ignore

// This file is the seed cache of apiload (see apiload.go): the seeded
// SQLite file, or PostgreSQL's tables as COPY text, kept beside the seed
// file and restored into the next run's empty database. Only the newest
// version of each seed is kept.

package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/runwayhq/runway/sqlstore"
)

// save keeps the seeded database under entry; the seed file is written
// last, so an entry without it is unfinished and ignored.
func save(ctx context.Context, dialect sqlstore.Dialect, dbURL, entry string, seedJSON []byte) error {
	if err := os.MkdirAll(filepath.Dir(entry), 0o700); err != nil {
		return err
	}
	stale, _ := filepath.Glob(entry[:strings.LastIndexByte(entry, '-')] + "-*") // older versions of this seed
	for _, s := range stale {
		os.RemoveAll(s)
	}
	if dialect == sqlstore.SQLite {
		// Closing the store checkpoints the write-ahead log into the file.
		if fi, err := os.Stat(sqlitePath(dbURL) + "-wal"); err == nil && fi.Size() > 0 {
			return fmt.Errorf("%s-wal is not empty after closing the store: not caching a partial copy", sqlitePath(dbURL))
		}
		if err := copyFile(sqlitePath(dbURL), entry+".db.tmp"); err != nil {
			return err
		}
		if err := os.Rename(entry+".db.tmp", entry+".db"); err != nil {
			return err
		}
	} else if err := dumpPostgres(ctx, dbURL, entry+".pg"); err != nil {
		return err
	}
	return os.WriteFile(entry+".json", seedJSON, 0o600)
}

// restore puts the seed kept under entry into the empty database at dbURL.
func restore(ctx context.Context, dialect sqlstore.Dialect, dbURL, entry string, seedJSON []byte, out string) error {
	var sf seedFile
	if err := json.Unmarshal(seedJSON, &sf); err != nil {
		return fmt.Errorf("%s.json: %w", entry, err)
	}
	start := time.Now()
	var err error
	if dialect == sqlstore.SQLite {
		err = copyFile(entry+".db", sqlitePath(dbURL))
	} else {
		err = restorePostgres(ctx, dbURL, entry+".pg")
	}
	if err != nil {
		return fmt.Errorf("restore the seed kept in %s: %w (delete it to seed again)", entry, err)
	}
	fmt.Fprintf(os.Stderr, "reused the seed made on %s (%d apps, %d candidates, reports of %d bytes on average): seeding took %.0f s, %.0f changes/s with %d workers; restored in %.1f s\n",
		sf.SeededAt.Format(time.DateTime), len(sf.Apps), sf.Candidates, sf.ReportBytes, sf.Seconds, float64(len(sf.Apps)+sf.Candidates)/sf.Seconds, sf.Workers, time.Since(start).Seconds())
	return os.WriteFile(out, seedJSON, 0o600)
}

// sqlitePath is the file of a SQLite URL, as sqlstore reads it.
func sqlitePath(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "sqlite://"), "file:")
	path, _, _ := strings.Cut(u, "?")
	return path
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// dumpPostgres writes every table of the current schema but the migration
// record to dir/TABLE.copy.
func dumpPostgres(ctx context.Context, dbURL, dir string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	tmp := dir + ".tmp"
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return err
	}
	for _, t := range tables {
		f, err := os.Create(filepath.Join(tmp, t+".copy"))
		if err != nil {
			return err
		}
		_, err = conn.PgConn().CopyTo(ctx, f, "COPY "+pgx.Identifier{t}.Sanitize()+" TO STDOUT")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("dump %s: %w", t, err)
		}
	}
	return os.Rename(tmp, dir)
}

// restorePostgres creates the tables with the store's migrations, loads
// the dumped rows, moves the ID sequences past them and analyzes the
// tables, as autovacuum does on a live database.
func restorePostgres(ctx context.Context, dbURL, dir string) error {
	store, err := sqlstore.Open(ctx, sqlstore.Options{URL: dbURL})
	if err != nil {
		return err
	}
	store.Close()
	files, err := filepath.Glob(filepath.Join(dir, "*.copy"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no tables in %s", dir)
	}
	// Parents before children, for the foreign keys.
	first := map[string]int{"teams": 1, "users": 2, "apps": 3, "candidates": 4}
	slices.SortFunc(files, func(a, b string) int {
		ka, kb := first[tableOf(a)], first[tableOf(b)]
		if ka == 0 {
			ka = 99
		}
		if kb == 0 {
			kb = 99
		}
		return cmp.Or(cmp.Compare(ka, kb), cmp.Compare(a, b))
	})
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var names []string
	for _, f := range files {
		names = append(names, pgx.Identifier{tableOf(f)}.Sanitize())
	}
	if _, err := conn.Exec(ctx, "TRUNCATE "+strings.Join(names, ", ")+" CASCADE"); err != nil {
		return err
	}
	for i, f := range files {
		in, err := os.Open(f)
		if err != nil {
			return err
		}
		_, err = conn.PgConn().CopyFrom(ctx, in, "COPY "+names[i]+" FROM STDIN")
		in.Close()
		if err != nil {
			return fmt.Errorf("load %s: %w", names[i], err)
		}
	}
	rows, _ := conn.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	idents, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Table, Column string }])
	if err != nil {
		return err
	}
	for _, id := range idents {
		t, c := pgx.Identifier{id.Table}.Sanitize(), pgx.Identifier{id.Column}.Sanitize()
		if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), (SELECT COALESCE(MAX(`+c+`), 0) + 1 FROM `+t+`), false)`, id.Table, id.Column); err != nil {
			return fmt.Errorf("move the sequence of %s.%s: %w", id.Table, id.Column, err)
		}
	}
	return analyze(ctx, dbURL)
}

// analyze gathers the planner's statistics, as autovacuum does on a live
// database, so that a run does not depend on when autovacuum came by.
func analyze(ctx context.Context, dbURL string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "ANALYZE")
	return err
}

func tableOf(file string) string { return strings.TrimSuffix(filepath.Base(file), ".copy") }
