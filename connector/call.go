package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// transient is a failure a later attempt may not have: sure means the
// service surely did not act on the call (the connection failed, or it
// answered busy), so even a call that is not idempotent may be repeated.
type transient struct {
	err  error
	sure bool
	wait time.Duration // the service's Retry-After
}

func (t *transient) Error() string { return t.err.Error() }
func (t *transient) Unwrap() error { return t.err }

// call makes c for step st: to a declared host only, each attempt within
// the step's timeout, retried with backoff when that is safe, every
// attempt recorded in the run.
func (rs *runState) call(ctx context.Context, st *step, c *Call) (*Reply, error) {
	e := rs.engine
	// An action has no inner steps: its record is the last one.
	rec := &rs.run.Steps[len(rs.run.Steps)-1]
	trace.SpanFromContext(ctx).SetAttributes(attribute.String("connector.call.host", c.URL.Hostname()))
	if err := e.allowed(c); err != nil {
		rec.Calls = append(rec.Calls, rs.callRecord(c, 1, nil, err, 0))
		return nil, err
	}
	attempt := 0
	op := func() (*Reply, error) {
		attempt++
		actx, cancel := context.WithTimeout(ctx, st.timeout)
		defer cancel()
		start := e.o.Now()
		reply, err := e.out.Do(actx, c)
		if err == nil {
			err = statusError(c, reply)
		}
		if err != nil && errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			err = &transient{err: fmt.Errorf("%s did not answer within %s", c.URL.Hostname(), st.timeout)}
		}
		rec.Calls = append(rec.Calls, rs.callRecord(c, attempt, reply, err, e.o.Now().Sub(start)))
		return reply, retryable(c, err)
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = e.o.Backoff, 30*e.o.Backoff
	reply, err := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxTries(uint(st.retries+1)), backoff.WithMaxElapsedTime(0))
	trace.SpanFromContext(ctx).SetAttributes(attribute.Int("connector.call.attempts", attempt))
	var t *transient
	if errors.As(err, &t) {
		err = t.err
	}
	return reply, err
}

// retryable returns err as the backoff package needs it: permanent unless
// a repeat is safe (the service surely did not act, or the call is
// idempotent), with the service's Retry-After.
func retryable(c *Call, err error) error {
	var t *transient
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &t), !t.sure && !c.idempotent:
		return backoff.Permanent(err)
	case t.wait > 0:
		return errors.Join(err, backoff.RetryAfter(int(t.wait.Seconds())))
	}
	return err
}

// statusError turns an HTTP answer that is not a success into an error:
// transient when the service was busy (429, 503) or failed in a way a
// repeat may not (500, 502, 504).
func statusError(c *Call, r *Reply) error {
	if r == nil || r.Status == 0 || r.Status < 400 {
		return nil
	}
	err := fmt.Errorf("%s answered %d %s%s", c.URL.Hostname(), r.Status, http.StatusText(r.Status), excerpt(r.Body))
	switch r.Status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		wait := time.Duration(0)
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err == nil && s > 0 && s <= 30 {
			wait = time.Duration(s) * time.Second
		}
		return &transient{err: err, sure: true, wait: wait}
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return &transient{err: err}
	}
	return err
}

// excerpt is the start of an error answer, for the run's record.
func excerpt(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return ": " + s
}

func (rs *runState) callRecord(c *Call, attempt int, r *Reply, err error, d time.Duration) CallRecord {
	e := rs.engine
	path := e.redact.text(c.URL.Path)
	if path != "" && !strings.HasPrefix(path, "/") {
		path = "/" + path // the whole path was a secret
	}
	rec := CallRecord{Method: c.Method, Host: c.URL.Hostname(), Path: path, Attempt: attempt,
		DurationMS: d.Milliseconds(), Body: e.redact.value(c.Body)}
	if r != nil {
		rec.Status = r.Status
	}
	if err != nil {
		rec.Error = e.redact.text(err.Error())
	}
	rs.logf("step %s: %s %s%s (attempt %d)%s", c.Step, c.Method, rec.Host, rec.Path, attempt, callOutcome(rec))
	return rec
}

func callOutcome(rec CallRecord) string {
	switch {
	case rec.Error != "":
		return ": " + rec.Error
	case rec.Status != 0:
		return fmt.Sprintf(" → %d in %d ms", rec.Status, rec.DurationMS)
	}
	return fmt.Sprintf(" done in %d ms", rec.DurationMS)
}
