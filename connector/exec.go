package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// runState is one run in progress.
type runState struct {
	engine *Engine
	run    *Run
	act    map[string]any
	steps  map[string]any
	start  time.Time
	// item is the index of the foreach item being handled, or nil.
	item *int
}

// stepError is a step that failed, with the reason in plain words.
type stepError struct {
	step string
	err  error
}

func (s *stepError) Error() string { return fmt.Sprintf("step `%s`: %v", s.step, s.err) }

func (e *Engine) newRunState(ev Event, replayOf *Run) *runState {
	now := e.o.Now()
	if ev.Time.IsZero() {
		ev.Time = now
	}
	r := &Run{ID: e.o.NewID(), Connector: e.c.App, StartedAt: now, Steps: []StepRecord{}, Logs: []string{}}
	r.Origin = r.ID
	if replayOf != nil {
		r.Origin, r.ReplayOf = replayOf.Origin, replayOf.ID
	}
	r.Trigger = "schedule"
	if e.c.Trigger.Kind != "schedule" {
		r.Trigger = ev.Method + " " + ev.Path
	}
	r.Input = e.inputRecord(ev)
	rs := &runState{engine: e, run: r, steps: map[string]any{}, start: now}
	rs.act = map[string]any{"now": ev.Time, "run": map[string]any{"id": r.ID}, "steps": rs.steps}
	return rs
}

// inputRecord keeps what a replay needs, without credentials.
func (e *Engine) inputRecord(ev Event) Input {
	in := Input{Method: ev.Method, Path: ev.Path, Time: ev.Time, Body: e.redact.text(string(ev.Body))}
	if len(ev.Query) > 0 {
		in.Query = map[string]string{}
		for k := range ev.Query {
			in.Query[k] = e.redact.text(ev.Query.Get(k))
		}
	}
	if h := safeHeaders(ev.Header); len(h) > 0 {
		in.Headers = e.redact.value(h).(map[string]string)
	}
	return in
}

// safeHeaders are the request's headers without those that carry
// credentials or signatures, with lowercase names.
func safeHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k := range h {
		name := strings.ToLower(k)
		if sensitiveHeader(name) {
			continue
		}
		out[name] = h.Get(k)
	}
	return out
}

func sensitiveHeader(name string) bool {
	if name == "authorization" || name == "cookie" || name == "proxy-authorization" {
		return true
	}
	for _, w := range []string{"signature", "token", "secret", "api-key", "apikey", "password"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// execute runs the steps and finishes the record.
func (rs *runState) execute(ctx context.Context, ev Event) {
	e := rs.engine
	ctx, span := e.tracer.Start(ctx, "connector run", trace.WithAttributes(
		attribute.String("connector.app", e.c.App), attribute.String("connector.run_id", rs.run.ID),
		attribute.String("connector.trigger", rs.run.Trigger)))
	defer span.End()
	err := rs.prepare(ev)
	var bad *badInput
	switch {
	case errors.As(err, &bad):
		rs.run.Status, rs.run.Error = RunRejected, bad.message
		rs.run.Response = &Response{Status: bad.status, Body: map[string]any{"error": bad.message, "problems": problemList(bad.problems)}}
	case err != nil:
		rs.fail(err)
	default:
		if _, err := rs.block(ctx, e.c.steps); err != nil {
			rs.fail(err)
		} else {
			rs.run.Status = RunOK
		}
	}
	if rs.run.Response == nil && e.c.Trigger.Kind != "schedule" {
		rs.run.Response = &Response{Status: http.StatusOK, Body: map[string]any{"ok": true, "run": rs.run.ID}}
	}
	rs.run.DurationMS = e.o.Now().Sub(rs.start).Milliseconds()
	rs.run.Error = e.redact.text(rs.run.Error)
	if rs.run.Response != nil {
		rs.run.Response.Body = e.redact.value(rs.run.Response.Body)
	}
	status := string(rs.run.Status)
	if rs.run.Response != nil {
		status += fmt.Sprintf(", answered %d", rs.run.Response.Status)
	}
	rs.logf("run %s (%s): %s in %d ms%s", rs.run.ID, rs.run.Trigger, status, rs.run.DurationMS, suffix(rs.run.Error))
	if rs.run.Status != RunOK {
		span.SetStatus(codes.Error, rs.run.Error)
	}
}

// stopped says why a run stopped before its end.
func stopped(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("the run took longer than its time limit and was stopped")
	}
	return errors.New("the run was stopped because Runway is shutting down")
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

func problemList(ps []Problem) []Problem {
	if ps == nil {
		return []Problem{}
	}
	return ps
}

// fail ends the run as failed; the request gets a 502 saying which step
// failed, unless a step already answered.
func (rs *runState) fail(err error) {
	rs.run.Status = RunFailed
	rs.run.Error = err.Error()
	if rs.run.Response == nil && rs.engine.c.Trigger.Kind != "schedule" {
		rs.run.Response = &Response{Status: http.StatusBadGateway,
			Body: map[string]any{"error": "The connector could not finish: " + rs.run.Error, "run": rs.run.ID}}
	}
}

// prepare sets the variables of the trigger: request, or schedule.
func (rs *runState) prepare(ev Event) error {
	t := rs.engine.c.Trigger
	if t.Kind == "schedule" {
		rs.act["schedule"] = map[string]any{"time": ev.Time}
		return nil
	}
	body, err := t.input.decodeBody(ev.Method, ev.Header.Get("Content-Type"), ev.Body, ev.Query)
	if err != nil {
		return err
	}
	query := map[string]any{}
	for k := range ev.Query {
		query[k] = ev.Query.Get(k)
	}
	headers := map[string]any{}
	for k, v := range safeHeaders(ev.Header) {
		headers[k] = v
	}
	rs.act["request"] = map[string]any{"method": ev.Method, "path": ev.Path, "query": query, "headers": headers, "body": body}
	return nil
}

func (rs *runState) logf(format string, args ...any) {
	e := rs.engine
	line := e.redact.text(fmt.Sprintf(format, args...))
	rs.run.Logs = append(rs.run.Logs, e.o.Now().UTC().Format(time.RFC3339Nano)+" "+line)
	if !strings.HasPrefix(line, "run ") {
		line = "run " + rs.run.ID + " " + line
	}
	e.logf("%s", line)
}

// block runs steps in order; done is true once a step responded.
func (rs *runState) block(ctx context.Context, steps []*step) (done bool, err error) {
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			return false, &stepError{st.id, stopped(err)}
		}
		if done, err = rs.step(ctx, st); done || err != nil {
			return done, err
		}
	}
	return false, nil
}

func (rs *runState) step(ctx context.Context, st *step) (bool, error) {
	e := rs.engine
	ctx, span := e.tracer.Start(ctx, "step "+st.id, trace.WithAttributes(
		attribute.String("connector.step.id", st.id), attribute.String("connector.step.kind", st.kind)))
	defer span.End()
	rec := len(rs.run.Steps)
	rs.run.Steps = append(rs.run.Steps, StepRecord{ID: st.id, Kind: st.kind, Item: rs.item})
	start := e.o.Now()
	out, done, err := rs.do(ctx, st)
	r := &rs.run.Steps[rec]
	r.DurationMS = e.o.Now().Sub(start).Milliseconds()
	if err != nil {
		r.Status, r.Error = "failed", e.redact.text(err.Error())
		span.SetStatus(codes.Error, r.Error)
		var inner *stepError
		if errors.As(err, &inner) {
			return false, err // an inner step failed: it says which
		}
		rs.logf("step %s failed: %s", st.id, r.Error)
		return false, &stepError{st.id, err}
	}
	r.Status = "ok"
	if out != nil {
		rs.steps[st.id] = out
		r.Output = e.redact.value(out)
	}
	return done, nil
}

// do runs what the step does and returns its output.
func (rs *runState) do(ctx context.Context, st *step) (map[string]any, bool, error) {
	switch st.kind {
	case "if":
		ok, err := st.cond.eval(ctx, rs.act)
		if err != nil {
			return nil, false, err
		}
		if ok == true {
			done, err := rs.block(ctx, st.then)
			return nil, done, err
		}
		done, err := rs.block(ctx, st.els)
		return nil, done, err
	case "switch":
		v, err := st.on.eval(ctx, rs.act)
		if err != nil {
			return nil, false, err
		}
		for _, c := range st.cases {
			if stringify(v) == c.key {
				done, err := rs.block(ctx, c.steps)
				return nil, done, err
			}
		}
		done, err := rs.block(ctx, st.fallback)
		return nil, done, err
	case "foreach":
		return rs.foreach(ctx, st)
	case "transform":
		v, err := st.fields.eval(ctx, rs.act)
		if err != nil {
			return nil, false, err
		}
		return v.(map[string]any), false, nil
	case "respond":
		return nil, true, rs.respond(ctx, st)
	}
	out, err := rs.action(ctx, st)
	return out, false, err
}

func (rs *runState) foreach(ctx context.Context, st *step) (map[string]any, bool, error) {
	v, err := st.items.eval(ctx, rs.act)
	if err != nil {
		return nil, false, err
	}
	items, ok := v.([]any)
	switch {
	case !ok && v != nil:
		return nil, false, fmt.Errorf("`%s` gave %s, not a list", st.items.src, stringify(v))
	case len(items) > st.max:
		return nil, false, fmt.Errorf("the list has %d items; this step handles at most %d (its max)", len(items), st.max)
	}
	defer func() { rs.item = nil; delete(rs.act, "item"); delete(rs.act, "index") }()
	for i, item := range items {
		rs.item = &i
		rs.act["item"], rs.act["index"] = item, int64(i)
		if _, err := rs.block(ctx, st.do); err != nil {
			return nil, false, err
		}
	}
	return map[string]any{"count": int64(len(items))}, false, nil
}

func (rs *runState) respond(ctx context.Context, st *step) error {
	resp := &Response{Status: http.StatusOK}
	if st.status != nil {
		v, err := st.status.eval(ctx, rs.act)
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(stringify(v))
		if err != nil || n < 100 || n > 599 {
			return fmt.Errorf("the status %s is not an HTTP status (100 to 599)", stringify(v))
		}
		resp.Status = n
	}
	if st.body != nil {
		v, err := st.body.eval(ctx, rs.act)
		if err != nil {
			return err
		}
		resp.Body = v
	}
	for k, h := range st.headers {
		v, err := h.eval(ctx, rs.act)
		if err != nil {
			return err
		}
		if resp.Headers == nil {
			resp.Headers = map[string]string{}
		}
		resp.Headers[k] = stringify(v)
	}
	rs.run.Response = resp
	return nil
}

// action runs a prebuilt action.
func (rs *runState) action(ctx context.Context, st *step) (map[string]any, error) {
	args := make(map[string]any, len(st.args))
	for name, v := range st.args {
		x, err := v.eval(ctx, rs.act)
		if err != nil {
			return nil, err
		}
		args[name] = x
	}
	r := &actionRun{step: st, args: args, integration: st.integration, secret: rs.engine.secrets[st.integration.Name], e: rs,
		key: rs.idempotencyKey(st)}
	return st.action.run(ctx, r)
}

// idempotencyKey is the same for a step (and a foreach item) in a run and
// in every replay of it.
func (rs *runState) idempotencyKey(st *step) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s", rs.run.Origin, st.id)
	if rs.item != nil {
		fmt.Fprintf(h, "\x00%d", *rs.item)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
