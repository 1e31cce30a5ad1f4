// Package web serves Runway's HTTP API under /api/v1 (JSON, bearer tokens,
// one error shape, pagination, request-size limits, an OpenAPI document),
// the operational endpoints (/healthz, /readyz, /metrics), and logs every
// request as one JSON line with its request ID.
//
// Handlers decode, ask the access package whether the principal may act,
// call a store or a service, and encode. They hold no business rule.
// Deployments are shown and rolled back through release.Deployer; an
// app's log is read through Options.Logs, which cmd/runway makes from
// the supervisor, so that web imports no adapter.
//
// web imports the root package, access, release, elevate, flags and
// secrets.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/elevate"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/secrets"
)

// Store is what the API reads and changes.
type Store interface {
	runway.TeamStore
	runway.AppStore
	runway.CandidateStore
	runway.UserStore
	runway.AuditLog
	runway.PromotionStore
}

// Options configure a Server.
type Options struct {
	Store   Store
	Release *release.Service
	// Promoter runs promotion requests and approvals.
	Promoter *release.Promoter
	// Access runs time-limited elevated access.
	Access *elevate.Service
	// Flags manages feature flags, their groups and flag keys; nil
	// answers their routes with EUNAVAILABLE.
	Flags *flags.Service
	// Secrets sets, lists and deletes app secrets; nil (no master key
	// configured) answers their routes with EUNAVAILABLE.
	Secrets *secrets.Service
	// Deployer shows deployments and rolls them back by hand; nil (a
	// server that runs no deployments) answers their routes with
	// EUNAVAILABLE.
	Deployer *release.Deployer
	// Runbooks write deployments' runbooks; nil answers the runbook
	// route with EUNAVAILABLE.
	Runbooks *release.Runbooks
	// Logs returns the last lines of a version's log, secrets redacted;
	// nil answers the log route with EUNAVAILABLE.
	Logs func(ctx context.Context, app string, env runway.Environment, version string, lines int) (string, error)
	// Traffic returns what the proxy measured of an environment's
	// versions; nil leaves it out of deployments.
	Traffic func(app string, env runway.Environment) []release.VersionTraffic
	// Ready reports whether the server can serve (the database answers);
	// /readyz calls it.
	Ready   func(context.Context) error
	Logger  *slog.Logger
	Version string
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// MaxBodyBytes bounds request bodies (default 32 MiB: a submission
	// carries a report and an inventory).
	MaxBodyBytes int64
	// Pages are more handlers served beside the API (the web UI, the
	// sign-in flow), with the same request IDs, logs and metrics.
	Pages []Registrar
	// Trace, when set, wraps the routes (OpenTelemetry server spans named
	// after the route pattern).
	Trace func(http.Handler) http.Handler
}

// Registrar adds routes to a mux.
type Registrar interface {
	Register(mux *http.ServeMux)
}

// Server is the HTTP side of `runway up`.
type Server struct {
	opt     Options
	mux     *http.ServeMux
	metrics *metrics
	// routes are the API routes, as registered: the OpenAPI test compares
	// them with the document.
	routes []string
}

// New returns a server with every route registered.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 32 << 20
	}
	s := &Server{opt: o, mux: http.NewServeMux(), metrics: newMetrics()}
	s.registerOps()
	s.registerAPI()
	for _, p := range o.Pages {
		p.Register(s.mux)
	}
	return s
}

// Handler returns the server's handler with request IDs, logging, metrics
// and panic recovery around every route.
func (s *Server) Handler() http.Handler {
	var h http.Handler = routeRecorder{s.mux}
	if s.opt.Trace != nil {
		h = s.opt.Trace(h)
	}
	return s.observe(h)
}

// Registry returns the Prometheus registry /metrics serves.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// Routes returns the API routes ("GET /api/v1/apps", ...).
func (s *Server) Routes() []string { return s.routes }
