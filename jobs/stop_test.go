package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/runwayhq/runway/jobs"
)

type slow struct {
	ID int `json:"id"`
}

func (slow) Kind() string { return "test.slow" }

// TestStopWaitsForRunningJob stops a queue while a job runs: Stop returns
// only once the job has finished, and the job is recorded as completed.
func TestStopWaitsForRunningJob(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "runway.db")
	q := openQueue(t, path, jobs.Options{})
	started, release := make(chan struct{}), make(chan struct{})
	if err := jobs.Register(q, func(ctx context.Context, s slow) error {
		close(started)
		<-release
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job, err := q.Enqueue(ctx, slow{ID: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	receive(t, started, 10*time.Second, "the job to start")
	stopped := make(chan error, 1)
	go func() { stopped <- q.Stop(ctx) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while the job was still running", err)
	default:
	}
	close(release)
	if err := receive(t, stopped, 10*time.Second, "Stop to return"); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, path)
	if n := queryInt(t, db, fmt.Sprintf(`SELECT COUNT(*) FROM river_job WHERE id = %d AND state = 'completed'`, job.ID)); n != 1 {
		t.Error("the job is not completed after a graceful Stop")
	}
}

// TestStopDeadlineCancelsJob stops a queue whose job outlives the deadline:
// the job's context is cancelled, Stop reports the deadline, and the job is
// left to be retried rather than lost.
func TestStopDeadlineCancelsJob(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "runway.db")
	q := openQueue(t, path, jobs.Options{})
	started, cancelled := make(chan struct{}), make(chan error, 1)
	if err := jobs.Register(q, func(ctx context.Context, s slow) error {
		close(started)
		<-ctx.Done()
		cancelled <- ctx.Err()
		return ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job, err := q.Enqueue(ctx, slow{ID: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	receive(t, started, 10*time.Second, "the job to start")
	stopCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if err := q.Stop(stopCtx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop past its deadline = %v, want context.DeadlineExceeded", err)
	}
	receive(t, cancelled, time.Second, "the job's context to be cancelled")
	db := openDB(t, path)
	query := fmt.Sprintf(`SELECT COUNT(*) FROM river_job WHERE id = %d AND state IN ('available', 'retryable')`, job.ID)
	if n := queryInt(t, db, query); n != 1 {
		t.Error("the job cut short by Stop is not waiting to be retried")
	}
}
