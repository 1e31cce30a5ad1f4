package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/jobs"
)

type greet struct {
	Name string `json:"name"`
}

func (greet) Kind() string { return "test.greet" }

// TestSQLiteJobSurvivesRestart enqueues a job on a queue that stops before
// running it; a new queue on the same file runs it.
func TestSQLiteJobSurvivesRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "runway.db")
	ctx := context.Background()

	first := openQueue(t, "sqlite://"+path, jobs.Options{})
	ran := make(chan string, 1)
	if err := jobs.Register(first, func(ctx context.Context, g greet) error {
		ran <- "first"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	job, err := first.Enqueue(ctx, greet{Name: "ada"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := openQueue(t, path, jobs.Options{})
	names := make(chan string, 1)
	if err := jobs.Register(second, func(ctx context.Context, g greet) error {
		names <- g.Name
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, names, 10*time.Second, "the job to run after the restart"); got != "ada" {
		t.Errorf("job ran with name %q, want %q", got, "ada")
	}
	if err := second.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, path)
	if n := queryInt(t, db, fmt.Sprintf(`SELECT COUNT(*) FROM river_job WHERE id = %d AND state = 'completed'`, job.ID)); n != 1 {
		t.Errorf("job %d is not completed after Stop", job.ID)
	}
	select {
	case <-ran:
		t.Error("the first queue ran the job although it was never started")
	default:
	}
}

type flaky struct {
	ID int `json:"id"`
}

func (flaky) Kind() string { return "test.flaky" }

// TestRetryThenSucceed fails a job's first attempt; River retries it (after
// about a second, its default backoff) and the second attempt succeeds.
func TestRetryThenSucceed(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			q := openQueue(t, d.newURL(t), jobs.Options{})
			var attempts atomic.Int32
			done := make(chan int32, 1)
			if err := jobs.Register(q, func(ctx context.Context, f flaky) error {
				n := attempts.Add(1)
				if n == 1 {
					return errors.New("first attempt fails")
				}
				done <- n
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := q.Enqueue(ctx, flaky{ID: 1}, nil); err != nil {
				t.Fatal(err)
			}
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if n := receive(t, done, 10*time.Second, "the retried job to succeed"); n != 2 {
				t.Errorf("succeeded on attempt %d, want 2", n)
			}
			if err := q.Stop(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCancelDoesNotRetry gives up on a job whose handler returns Cancel.
func TestCancelDoesNotRetry(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "runway.db")
	q := openQueue(t, "file:"+path, jobs.Options{})
	var attempts atomic.Int32
	if err := jobs.Register(q, func(ctx context.Context, f flaky) error {
		attempts.Add(1)
		return jobs.Cancel(errors.New("this can never work"))
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job, err := q.Enqueue(ctx, flaky{ID: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, path)
	query := fmt.Sprintf(`SELECT COUNT(*) FROM river_job WHERE id = %d AND state = 'cancelled'`, job.ID)
	waitFor(t, 10*time.Second, "the job to be cancelled", func() bool { return queryInt(t, db, query) == 1 })
	if n := attempts.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
}

// TestUnique inserts a unique job once per args while it waits, and again
// once the first one is done.
func TestUnique(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			q := openQueue(t, d.newURL(t), jobs.Options{})
			done := make(chan string, 4)
			if err := jobs.Register(q, func(ctx context.Context, g greet) error {
				done <- g.Name
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			unique := &jobs.EnqueueOptions{Unique: true}
			a, err := q.Enqueue(ctx, greet{Name: "ada"}, unique)
			if err != nil {
				t.Fatal(err)
			}
			again, err := q.Enqueue(ctx, greet{Name: "ada"}, unique)
			if err != nil {
				t.Fatal(err)
			}
			if !again.Duplicate || again.ID != a.ID {
				t.Errorf("second unique enqueue = %+v, want a duplicate of job %d", again, a.ID)
			}
			other, err := q.Enqueue(ctx, greet{Name: "bob"}, unique)
			if err != nil {
				t.Fatal(err)
			}
			if other.Duplicate {
				t.Error("a job with other args was taken for a duplicate")
			}
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			receive(t, done, 10*time.Second, "the first unique job")
			receive(t, done, 10*time.Second, "the second unique job")
			if err := q.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			after, err := q.Enqueue(ctx, greet{Name: "ada"}, unique)
			if err != nil {
				t.Fatal(err)
			}
			if after.Duplicate {
				t.Error("a completed job still blocks a unique enqueue")
			}
		})
	}
}

// TestRegisterAndEnqueueErrors covers the mistakes a caller can make.
func TestRegisterAndEnqueueErrors(t *testing.T) {
	t.Parallel()
	q := openQueue(t, filepath.Join(t.TempDir(), "runway.db"), jobs.Options{})
	ctx := context.Background()
	if _, err := q.Enqueue(ctx, greet{}, nil); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("enqueue of an unregistered kind: %v, want an %s error", err, runway.EINVALID)
	}
	if err := q.Start(ctx); err == nil {
		t.Error("Start with no kind registered succeeded")
	}
	handle := func(ctx context.Context, g greet) error { return nil }
	if err := jobs.Register(q, handle); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Register(q, handle); err == nil {
		t.Error("registering a kind twice succeeded")
	}
	if err := jobs.Register(q, func(ctx context.Context, b badKind) error { return nil }); err == nil {
		t.Error("registering a kind with a space succeeded")
	}
	if _, err := q.Enqueue(ctx, greet{}, &jobs.EnqueueOptions{UniquePeriod: time.Hour}); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("UniquePeriod without Unique: %v, want an %s error", err, runway.EINVALID)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Register(q, func(ctx context.Context, f flaky) error { return nil }); err == nil {
		t.Error("registering after Start succeeded")
	}
	if _, err := jobs.Open(ctx, jobs.Options{}); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("Open without a URL: %v, want an %s error", err, runway.EINVALID)
	}
}

type badKind struct{}

func (badKind) Kind() string { return "bad kind" }
