// Package jobs runs Runway's durable background work (deployments, canary
// steps, scans, notifications) on River (github.com/riverqueue/river): a job
// is a row in the same database as the store, SQLite by default or
// PostgreSQL, so it survives a restart, is retried with backoff when its
// handler fails, and is shared by every `runway up` process on one
// PostgreSQL database. Each job runs at least once; handlers must be
// idempotent, as a process killed mid-job has its job run again.
//
// The API keeps River's types out of callers: a job kind is any
// JSON-encodable struct with a Kind method (River's JobArgs has the same
// shape, so the struct needs no River import), a handler is a
// func(context.Context, Args) error given to Register, and Enqueue takes
// plain EnqueueOptions. Exposing River's Workers set instead would make every
// package that defines a job import River and build River workers; a typed
// Register is one generic function over River's own WorkFunc.
//
// EnqueueTx inserts a job inside the caller's *sql.Tx, on SQLite and on
// PostgreSQL alike (the store uses database/sql on both), so a change and the
// job that follows it commit or roll back together. EnqueuePgxTx does the
// same for a pgx.Tx.
//
// Measured on the 2-core VM (BenchmarkEnqueueAndRun): an idle queue starts a
// job 33–35 ms (p50) after Enqueue on SQLite, whose driver polls River's
// notification table every 50 ms, and 4–10 ms on PostgreSQL; jobs enqueued
// back to back wait about FetchCooldown (100 ms); one process runs 375–575
// jobs/s on SQLite and 650–850 on PostgreSQL. docs/adr/0008-jobs-on-river.md
// has the figures, what a queue costs the store's SQLite writes, and why
// River.
//
// jobs imports only the root runway package (for its error codes), never
// another Runway package.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/runwayhq/runway"
)

// Options configure Open.
type Options struct {
	// URL is the store's database: "postgres://..." (or "postgresql://...")
	// for PostgreSQL, or a SQLite file path, with or without a "sqlite://" or
	// "file:" prefix. River's tables live beside the store's.
	URL string
	// Workers is how many jobs this process runs at once; 10 when zero.
	Workers int
	// Logger receives River's logs; slog.Default() when nil.
	Logger *slog.Logger
	// JobTimeout cancels a handler's context after this long; one minute
	// when zero, never when negative.
	JobTimeout time.Duration
	// PollInterval is how often an idle queue looks for due jobs it was not
	// told about (retries and jobs enqueued by a process that could not
	// notify it); one second when zero. New jobs are normally noticed sooner,
	// through PostgreSQL's LISTEN/NOTIFY or River's notification table on
	// SQLite.
	PollInterval time.Duration
	// FetchCooldown is the shortest time between two fetches of new jobs by
	// this process, which bounds both latency and throughput; 100 ms (River's
	// default) when zero.
	FetchCooldown time.Duration
}

// riverClient is what the Queue needs of a River client, whatever its
// transaction type.
type riverClient interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// Queue is an open job queue. Register every kind, then Start; Enqueue is
// safe for concurrent use once registration is over.
type Queue struct {
	dialect string
	workers *river.Workers
	kinds   map[string]bool

	client  riverClient            // works jobs and inserts outside transactions
	sqlTx   *river.Client[*sql.Tx] // inserts inside a *sql.Tx
	pgxTx   *river.Client[pgx.Tx]  // inserts inside a pgx.Tx; nil on SQLite
	closeDB func()                 // closes the queue's own connections

	mu      sync.Mutex
	started bool
	closed  bool
}

// Open connects to the database, applies River's migrations for its dialect
// and returns a queue that does not work jobs until Start.
func Open(ctx context.Context, o Options) (*Queue, error) {
	if o.Workers <= 0 {
		o.Workers = 10
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.JobTimeout < 0 {
		o.JobTimeout = -1 // River's "no timeout"
	}
	q := &Queue{workers: river.NewWorkers(), kinds: map[string]bool{}}
	cfg := q.config(o)
	var err error
	switch {
	case strings.HasPrefix(o.URL, "postgres://"), strings.HasPrefix(o.URL, "postgresql://"):
		err = q.openPostgres(ctx, o.URL, cfg)
	case o.URL == "":
		return nil, runway.Errorf(runway.EINVALID, "open job queue: no database given: pass a SQLite file path or a postgres:// URL")
	default:
		err = q.openSQLite(ctx, o.URL, cfg)
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// config is the River configuration of the working client; insert-only
// clients take the same one without Queues so that defaults such as
// MaxAttempts agree.
func (q *Queue) config(o Options) *river.Config {
	return &river.Config{
		Logger:            o.Logger,
		Workers:           q.workers,
		JobTimeout:        o.JobTimeout,
		FetchPollInterval: o.PollInterval,
		FetchCooldown:     o.FetchCooldown,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
	}
}

// insertOnly returns a copy of the working configuration for a client that
// only inserts.
func insertOnly(cfg *river.Config) *river.Config {
	c := *cfg
	c.Queues = nil
	return &c
}

// Dialect says which engine the queue runs on: "sqlite" or "postgres".
func (q *Queue) Dialect() string { return q.dialect }

// Start begins working jobs in the background and returns. ctx bounds the
// start only: cancelling it later does not stop the queue; Stop does.
func (q *Queue) Start(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.closed:
		return errors.New("start job queue: the queue is closed")
	case q.started:
		return nil
	case len(q.kinds) == 0:
		return errors.New("start job queue: no job kind registered")
	}
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return &runway.Error{Code: runway.EUNAVAILABLE, Message: "start job queue", Err: err}
	}
	q.started = true
	return nil
}

// hardStopGrace is how long Stop waits for handlers to return once it has
// cancelled their contexts.
const hardStopGrace = 5 * time.Second

// Stop stops fetching jobs and waits for the running ones to finish, until
// ctx is done. Then it cancels the handlers' contexts, waits up to five more
// seconds for them to return, and returns ctx's error: the jobs so cut short
// are retried by the next queue to run. A job whose handler ignores its
// context and never returns stays running until River's rescuer, on another
// or a later queue, retries it (after one hour by default).
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.started {
		return nil
	}
	q.started = false
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopGrace)
	defer cancel()
	if herr := q.client.StopAndCancel(hctx); herr != nil {
		return fmt.Errorf("stop job queue: jobs still running after their contexts were cancelled: %w", herr)
	}
	return fmt.Errorf("stop job queue: running jobs cancelled: %w", err)
}

// Close stops the queue if it runs, cancelling running jobs at once (call
// Stop first for a graceful stop), and closes its database connections.
func (q *Queue) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), hardStopGrace)
	defer cancel()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil
	}
	q.closed = true
	var err error
	if q.started {
		q.started = false
		if err = q.client.StopAndCancel(ctx); err != nil {
			err = fmt.Errorf("close job queue: %w", err)
		}
	}
	q.closeDB()
	return err
}
