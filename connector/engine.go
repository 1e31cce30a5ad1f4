package connector

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/runwayhq/runway"
)

// Options configure an Engine. Every field is optional but Secrets, when
// the connector uses integrations with secrets.
type Options struct {
	// Secrets returns a secret's value by its name; `runway dev` reads the
	// developer's environment. Only the secrets of integrations the
	// connector uses are asked for.
	Secrets func(name string) (string, bool)
	// Store keeps the run records (none when nil).
	Store RunStore
	// Tracer makes a span per run and per step (none when nil).
	Tracer trace.Tracer
	// Log receives one line per run and per notable event, secrets
	// redacted (nothing when nil).
	Log io.Writer
	// Now and NewID give the time and the run IDs (time.Now and UUIDv7).
	Now   func() time.Time
	NewID func() string
	// Backoff is the first wait before a retry (default 500 ms); each
	// retry waits about twice as long as the one before.
	Backoff time.Duration
	// MaxRuns bounds the runs at once (default 16); RunTimeout bounds one
	// run (default 2 minutes).
	MaxRuns    int
	RunTimeout time.Duration
	// Outbound makes the calls (default: the network, through egress).
	Outbound Outbound
}

// Engine runs one connector.
type Engine struct {
	c       *Connector
	o       Options
	out     Outbound
	secrets map[string]string // by integration name
	redact  *redactor
	runs    chan struct{}
	tracer  trace.Tracer
	logMu   sync.Mutex
	seen    *signatures
}

// NewEngine prepares c to run. It returns EINVALID when a secret the
// connector needs is not set, or too short to be hidden in logs.
func NewEngine(c *Connector, o Options) (*Engine, error) {
	e := &Engine{c: c, o: o, secrets: map[string]string{}, seen: newSignatures()}
	var missing []string
	for _, in := range c.used {
		if in.Secret == "" {
			continue
		}
		v, ok := "", false
		if o.Secrets != nil {
			v, ok = o.Secrets(in.Secret)
		}
		switch {
		case !ok || v == "":
			missing = append(missing, fmt.Sprintf("%s (integration %s)", in.Secret, in.Name))
		case len(v) < minSecret:
			return nil, runway.Errorf(runway.EINVALID, "the secret %s of integration %s is shorter than %d characters: it could not be hidden from logs, so it is refused", in.Secret, in.Name, minSecret)
		default:
			e.secrets[in.Name] = v
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, runway.Errorf(runway.EINVALID, "these secrets are not set: %s", strings.Join(missing, ", "))
	}
	named := map[string]string{}
	for name, v := range e.secrets {
		named[c.used[name].Secret] = v
	}
	e.redact = newRedactor(named)
	e.defaults()
	if e.out == nil {
		e.out = newNetOutbound(c)
	}
	return e, nil
}

func (e *Engine) defaults() {
	o := &e.o
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewID == nil {
		o.NewID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxRuns <= 0 {
		o.MaxRuns = 16
	}
	if o.RunTimeout <= 0 {
		o.RunTimeout = 2 * time.Minute
	}
	e.tracer = o.Tracer
	if e.tracer == nil {
		e.tracer = noop.NewTracerProvider().Tracer("")
	}
	e.runs = make(chan struct{}, o.MaxRuns)
	e.out = o.Outbound
}

// Close releases the engine's connections.
func (e *Engine) Close() error { return e.out.Close() }

// Event is what starts a run: a request (http and webhook triggers) or a
// time (schedule).
type Event struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Time is when it happened (default now).
	Time time.Time
}

// Run runs the connector once for ev, waiting for a free slot when
// MaxRuns are running, and returns the record, which it also stores.
func (e *Engine) Run(ctx context.Context, ev Event) *Run {
	return e.run(ctx, ev, nil)
}

// Replay runs a stored run's input again, keeping its origin (and so its
// calls' idempotency keys); the replayed run is marked as replayed.
func (e *Engine) Replay(ctx context.Context, id string) (*Run, error) {
	if e.o.Store == nil {
		return nil, runway.Errorf(runway.EINVALID, "there is no run history to replay from")
	}
	old, err := e.o.Store.FindRun(ctx, id)
	if err != nil {
		return nil, err
	}
	in := old.Input
	ev := Event{Method: in.Method, Path: in.Path, Query: url.Values{}, Header: http.Header{}, Body: []byte(in.Body), Time: in.Time}
	for k, v := range in.Query {
		ev.Query.Set(k, v)
	}
	for k, v := range in.Headers {
		ev.Header.Set(k, v)
	}
	r := e.run(ctx, ev, old)
	old.ReplayedBy = r.ID
	if err := e.o.Store.SaveRun(ctx, old); err != nil {
		return r, err
	}
	return r, nil
}

func (e *Engine) run(ctx context.Context, ev Event, replayOf *Run) *Run {
	select {
	case e.runs <- struct{}{}:
		defer func() { <-e.runs }()
	case <-ctx.Done():
	}
	ctx, cancel := context.WithTimeout(ctx, e.o.RunTimeout)
	defer cancel()
	rs := e.newRunState(ev, replayOf)
	rs.execute(ctx, ev)
	if e.o.Store != nil {
		if err := e.o.Store.SaveRun(context.WithoutCancel(ctx), rs.run); err != nil {
			e.logf("run %s could not be stored: %s", rs.run.ID, e.redact.text(err.Error()))
		}
	}
	return rs.run
}

// logf writes one line to the engine's log, secrets redacted.
func (e *Engine) logf(format string, args ...any) {
	if e.o.Log == nil {
		return
	}
	line := e.redact.text(fmt.Sprintf(format, args...))
	e.logMu.Lock()
	defer e.logMu.Unlock()
	fmt.Fprintf(e.o.Log, "%s %s\n", e.o.Now().Format("15:04:05.000"), line)
}

// declared returns the integration that declares host.
func (e *Engine) declared(host string) (runway.Integration, bool) {
	for _, in := range e.c.integrations {
		if hostMatches(in.Host, host) {
			return in, true
		}
	}
	return runway.Integration{}, false
}

// integrationFor returns the integration that declares u's host, with its
// secret's value ("" when it has none).
func (e *Engine) integrationFor(u *url.URL) (runway.Integration, string, error) {
	in, ok := e.declared(u.Hostname())
	if !ok {
		return in, "", e.undeclared(u.Hostname())
	}
	secret := e.secrets[in.Name]
	if in.Secret != "" && secret == "" {
		return in, "", refusef("integration `%s` needs its secret %s, which this run does not have", in.Name, in.Secret)
	}
	return in, secret, nil
}

// allowed refuses a call to a host no integration declares, to another
// host than the step's integration declares (its secret goes there only),
// and over plain http to a named host.
func (e *Engine) allowed(c *Call) error {
	host := c.URL.Hostname()
	if _, ok := e.declared(host); !ok {
		return e.undeclared(host)
	}
	for _, in := range e.c.integrations {
		if in.Name == c.Integration && !hostMatches(in.Host, host) {
			return refusef("refused to call %s: integration `%s` declares %s in runway.yaml, and its secret may be sent to that host only", host, in.Name, in.Host)
		}
	}
	if c.URL.Scheme == "http" && !isAddress(host) {
		return refusef("refused to call %s over plain http: use https (plain http is allowed only to hosts declared by address)", host)
	}
	return nil
}

func (e *Engine) undeclared(host string) error {
	var hosts []string
	for _, in := range e.c.integrations {
		hosts = append(hosts, in.Host)
	}
	return refusef("refused to call %s: runway.yaml declares no integration for this host (declared: %s); add it under integrations: if this call is intended", host, strings.Join(hosts, ", "))
}

// refusal is a call the platform refused to make: never retried.
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }

func refusef(format string, args ...any) error { return &refusal{fmt.Sprintf(format, args...)} }
