package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/runwayhq/runway/jobs"
)

type task struct {
	N int `json:"n"`
}

func (task) Kind() string { return "test.task" }

// TestPostgresQueuesShareJobs runs two queues on one schema, as two
// `runway up` processes: they open together (River's migrations must apply
// once), share 200 jobs, and every job runs to completion exactly once, with
// both queues doing some of the work.
func TestPostgresQueuesShareJobs(t *testing.T) {
	t.Parallel()
	const n = 200
	u := freshSchema(t)
	ctx := context.Background()

	opened := make(chan *jobs.Queue, 2)
	for range 2 {
		go func() {
			q, err := jobs.Open(ctx, jobs.Options{URL: u, Workers: 4, FetchCooldown: 20 * time.Millisecond, PollInterval: 200 * time.Millisecond})
			if err != nil {
				t.Error(err)
			}
			opened <- q
		}()
	}
	queues := []*jobs.Queue{<-opened, <-opened}
	for _, q := range queues {
		if q == nil {
			t.FailNow()
		}
		t.Cleanup(func() { q.Close() })
	}

	db := openDB(t, u)
	if _, err := db.Exec(`CREATE TABLE runs (n INTEGER NOT NULL, queue TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, q := range queues {
		name := fmt.Sprint("q", i)
		if err := jobs.Register(q, func(ctx context.Context, a task) error {
			_, err := db.ExecContext(ctx, `INSERT INTO runs (n, queue) VALUES ($1, $2)`, a.N, name)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if _, err := queues[i%2].Enqueue(ctx, task{N: i}, nil); err != nil {
			t.Fatal(err)
		}
	}

	waitFor(t, 15*time.Second, "every job to complete", func() bool {
		return queryInt(t, db, `SELECT COUNT(*) FROM river_job WHERE state = 'completed'`) == n
	})
	for _, q := range queues {
		if err := q.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if runs := queryInt(t, db, `SELECT COUNT(*) FROM runs`); runs != n {
		t.Errorf("%d runs recorded, want %d", runs, n)
	}
	if distinct := queryInt(t, db, fmt.Sprintf(`SELECT COUNT(DISTINCT n) FROM runs WHERE n BETWEEN 0 AND %d`, n-1)); distinct != n {
		t.Errorf("%d distinct jobs ran, want %d", distinct, n)
	}
	for i := range queues {
		done := queryInt(t, db, fmt.Sprintf(`SELECT COUNT(*) FROM runs WHERE queue = 'q%d'`, i))
		t.Logf("queue q%d ran %d jobs", i, done)
		if done == 0 {
			t.Errorf("queue q%d ran no job: the work was not shared", i)
		}
	}
}
