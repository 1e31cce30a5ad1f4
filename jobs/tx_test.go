package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/runwayhq/runway/jobs"
)

// TestEnqueueTx inserts jobs inside a transaction of another database/sql
// pool on the same database, as the store's: a rolled back job never
// exists, a committed one runs.
func TestEnqueueTx(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			u := d.newURL(t)
			q := openQueue(t, u, jobs.Options{})
			names := make(chan string, 2)
			if err := jobs.Register(q, func(ctx context.Context, g greet) error {
				names <- g.Name
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			store := openDB(t, u)

			tx, err := store.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := q.EnqueueTx(ctx, tx, greet{Name: "rolled back"}, nil); err != nil {
				t.Fatal(err)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}

			tx, err = store.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := q.EnqueueTx(ctx, tx, greet{Name: "committed"}, nil); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if got := receive(t, names, 10*time.Second, "the committed job to run"); got != "committed" {
				t.Errorf("ran %q, want %q", got, "committed")
			}
			// SQLite reuses the rolled back job's id, so count the jobs.
			if n := queryInt(t, store, `SELECT COUNT(*) FROM river_job`); n != 1 {
				t.Errorf("%d jobs exist, want only the committed one", n)
			}
		})
	}
}

// TestEnqueuePgxTx inserts a job inside a pgx transaction on PostgreSQL,
// and refuses one on SQLite.
func TestEnqueuePgxTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite := openQueue(t, dialects[0].newURL(t), jobs.Options{})
	if err := jobs.Register(lite, func(ctx context.Context, g greet) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := lite.EnqueuePgxTx(ctx, nil, greet{}, nil); err == nil {
		t.Error("EnqueuePgxTx on SQLite succeeded")
	}

	u := freshSchema(t)
	q := openQueue(t, u, jobs.Options{})
	names := make(chan string, 1)
	if err := jobs.Register(q, func(ctx context.Context, g greet) error {
		names <- g.Name
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.EnqueuePgxTx(ctx, tx, greet{Name: "pgx"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, names, 10*time.Second, "the job to run"); got != "pgx" {
		t.Errorf("ran %q, want %q", got, "pgx")
	}
}
