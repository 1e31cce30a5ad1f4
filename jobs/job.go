package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/runwayhq/runway"
)

// Args is a job's arguments: a struct encoded as JSON in the job's row, whose
// Kind names the job and picks its handler. Kind must work on the zero
// value (a value receiver returning a constant) and match [\w][\w\-.:/]+, as
// in "release.deploy".
type Args interface {
	Kind() string
}

// kindRE is River's own rule for job kinds (rivercommon.UserSpecifiedIDOrKindRE),
// which River checks only for workers known when its client is built.
var kindRE = regexp.MustCompile(`\A[\w][\w\-\[\]<>\/.·:+]+\z`)

// Register makes handle run every job of A's kind. Register all kinds before
// Start, in every process that shares the database: a process fetches any
// job and fails one whose kind it does not know. A handler's error retries
// the job with River's backoff (about attempt⁴ seconds, 25 attempts); wrap it
// in Cancel to give up at once. The context is cancelled after
// Options.JobTimeout and when the queue stops.
func Register[A Args](q *Queue, handle func(ctx context.Context, args A) error) error {
	var zero A
	kind := zero.Kind()
	if !kindRE.MatchString(kind) {
		return fmt.Errorf("register job kind %q: kinds are letters, digits and _-.:/ (like %q)", kind, "release.deploy")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		return fmt.Errorf("register job kind %q: the queue has started: register every kind before Start", kind)
	}
	work := river.WorkFunc(func(ctx context.Context, job *river.Job[A]) error {
		return handle(ctx, job.Args)
	})
	if err := river.AddWorkerSafely(q.workers, work); err != nil {
		return fmt.Errorf("register job kind %q: %w", kind, err)
	}
	q.kinds[kind] = true
	return nil
}

// Cancel marks err as final: the job is not retried.
func Cancel(err error) error { return river.JobCancel(err) }

// EnqueueOptions adjust one job. The zero value runs the job as soon as a
// worker is free, with the default number of attempts, and no uniqueness.
type EnqueueOptions struct {
	// Unique makes the job unique by kind and args (all of the encoded args,
	// or only the fields tagged `river:"unique"`): while a job with the same
	// kind and args is waiting, scheduled, running or retrying, enqueueing
	// another one inserts nothing and returns the existing job with
	// Duplicate set. A completed or failed job no longer counts.
	Unique bool
	// UniquePeriod, with Unique, narrows uniqueness to windows of this
	// length (at least a second, aligned on UTC multiples of the period,
	// counting completed jobs too): at most one such job per window.
	UniquePeriod time.Duration
	// RunAt delays the job until then.
	RunAt time.Time
	// MaxAttempts overrides the number of attempts (25 by default).
	MaxAttempts int
}

// Enqueued is the job that Enqueue inserted or, for a unique job, found.
type Enqueued struct {
	ID        int64 // River's job id
	Duplicate bool  // a unique job was already there; nothing was inserted
}

// Enqueue inserts a job, committed when Enqueue returns. o may be nil.
func (q *Queue) Enqueue(ctx context.Context, args Args, o *EnqueueOptions) (Enqueued, error) {
	opts, err := q.insertOpts(args, o)
	if err != nil {
		return Enqueued{}, err
	}
	res, err := q.client.Insert(ctx, args, opts)
	return enqueued(args, res, err)
}

// EnqueueTx inserts a job inside tx, a transaction on the same database
// (typically the store's): the job exists, and can run, only if tx commits.
// It works on SQLite and PostgreSQL. On SQLite, tx must have taken the write
// lock (the store's transactions do, with _txlock=immediate) or the insert
// may fail busy; the queue's own connection waits for tx to end.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, args Args, o *EnqueueOptions) (Enqueued, error) {
	opts, err := q.insertOpts(args, o)
	if err != nil {
		return Enqueued{}, err
	}
	res, err := q.sqlTx.InsertTx(ctx, tx, args, opts)
	return enqueued(args, res, err)
}

// EnqueuePgxTx is EnqueueTx for a pgx transaction on PostgreSQL.
func (q *Queue) EnqueuePgxTx(ctx context.Context, tx pgx.Tx, args Args, o *EnqueueOptions) (Enqueued, error) {
	if q.pgxTx == nil {
		return Enqueued{}, runway.Errorf(runway.EINVALID, "enqueue job %q: a pgx transaction needs a PostgreSQL queue, this one is on %s", args.Kind(), q.dialect)
	}
	opts, err := q.insertOpts(args, o)
	if err != nil {
		return Enqueued{}, err
	}
	res, err := q.pgxTx.InsertTx(ctx, tx, args, opts)
	return enqueued(args, res, err)
}

// uniqueStates are River's default unique states less "completed", so that a
// finished job does not block the next one.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

func (q *Queue) insertOpts(args Args, o *EnqueueOptions) (*river.InsertOpts, error) {
	if !q.kinds[args.Kind()] {
		return nil, runway.Errorf(runway.EINVALID, "enqueue job %q: no handler is registered for this kind: call jobs.Register first", args.Kind())
	}
	opts := &river.InsertOpts{}
	if o == nil {
		return opts, nil
	}
	opts.ScheduledAt, opts.MaxAttempts = o.RunAt, o.MaxAttempts
	switch {
	case o.Unique && o.UniquePeriod > 0:
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByPeriod: o.UniquePeriod}
	case o.Unique:
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: uniqueStates}
	case o.UniquePeriod > 0:
		return nil, runway.Errorf(runway.EINVALID, "enqueue job %q: UniquePeriod needs Unique", args.Kind())
	}
	return opts, nil
}

func enqueued(args Args, res *rivertype.JobInsertResult, err error) (Enqueued, error) {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return Enqueued{}, fmt.Errorf("enqueue job %q: %w", args.Kind(), err)
		}
		return Enqueued{}, &runway.Error{Code: runway.EUNAVAILABLE, Message: fmt.Sprintf("enqueue job %q", args.Kind()), Err: err}
	}
	return Enqueued{ID: res.Job.ID, Duplicate: res.UniqueSkippedAsDuplicate}, nil
}
