package jobs_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/runwayhq/runway/jobs"
)

// BenchmarkSQLiteStoreWrite measures what a queue on the store's SQLite file
// costs the store: the latency of one small write transaction, as the
// store's writer makes them, with no queue ("alone"), beside a started queue
// with no work ("queue-idle": River polls its notification table every 50 ms
// and elects a leader), and beside a queue running jobs as fast as one
// goroutine enqueues them ("queue-busy"). SQLite has one writer, so the
// store waits for River's transactions through busy_timeout.
func BenchmarkSQLiteStoreWrite(b *testing.B) {
	for _, mode := range []string{"alone", "queue-idle", "queue-busy"} {
		b.Run(mode, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "runway.db")
			if mode != "alone" {
				stop := runQueue(b, path, mode == "queue-busy")
				defer stop()
			}
			store := openDB(b, path)
			if _, err := store.Exec(`CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			var all []time.Duration
			for b.Loop() {
				t0 := time.Now()
				tx, err := store.Begin()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Exec(`INSERT INTO notes (body) VALUES ('a change and its audit entry')`); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				all = append(all, time.Since(t0))
			}
			report(b, all, 0)
		})
	}
}

// runQueue starts a queue on path, and with busy a goroutine that keeps it
// working; stop ends both.
func runQueue(b *testing.B, path string, busy bool) (stop func()) {
	q := openQueue(b, path, jobs.Options{})
	if err := jobs.Register(q, func(ctx context.Context, s stamped) error { return nil }); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for busy && ctx.Err() == nil {
			if _, err := q.Enqueue(ctx, stamped{}, nil); err != nil && ctx.Err() == nil {
				b.Error(err)
				return
			}
		}
	}()
	return func() {
		cancel()
		<-done
		q.Stop(context.Background())
	}
}
