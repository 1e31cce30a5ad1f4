package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/config"
	"github.com/runwayhq/runway/elevate"
	"github.com/runwayhq/runway/jobs"
	"github.com/runwayhq/runway/oidc"
	"github.com/runwayhq/runway/opa"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/session"
	"github.com/runwayhq/runway/signin"
	"github.com/runwayhq/runway/sqlstore"
	"github.com/runwayhq/runway/telemetry"
	"github.com/runwayhq/runway/ui"
	"github.com/runwayhq/runway/web"
)

// server is `runway up` assembled: the store, the policy engine, the API
// and the listener. openServer builds it, run serves until the context
// ends, and close releases what open took; the end-to-end test drives the
// same three steps with a temporary data folder and port 0.
type server struct {
	cfg      config.Config
	log      *slog.Logger
	store    *sqlstore.DB
	listener net.Listener
	http     *http.Server
	decLog   *os.File
	release  *release.Service
	promoter *release.Promoter
	access   *elevate.Service
	channels []channel
	queue    *jobs.Queue
	tracing  *telemetry.Tracing
	flagSecrets
	runtimeParts
	// url is where people reach the server.
	url string
}

// openServer opens everything `runway up` needs. Nothing is left open when
// it fails.
func openServer(ctx context.Context, cfg config.Config, logOut io.Writer) (_ *server, err error) {
	s := &server{cfg: cfg, log: slog.New(slog.NewJSONHandler(logOut, nil))}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if err := os.MkdirAll(cfg.Server.Data, 0o700); err != nil {
		return nil, runway.Errorf(runway.EINVALID, "cannot create the data folder %s: %v", cfg.Server.Data, err)
	}
	dbURL := cfg.Server.DatabaseURL
	if dbURL == "" {
		dbURL = filepath.Join(cfg.Server.Data, "runway.db")
	}
	if s.store, err = sqlstore.Open(ctx, sqlstore.Options{URL: dbURL, CrashAfter: cfg.Server.CrashAfterCommits}); err != nil {
		return nil, err
	}
	if s.decLog, err = os.OpenFile(filepath.Join(cfg.Server.Data, "decisions.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err != nil {
		return nil, fmt.Errorf("open the decision log: %w", err)
	}
	policies := opa.Options{Policies: cfg.Policy.Dirs, Exceptions: cfg.Policy.Exceptions, Environment: "production", DecisionLog: s.decLog}
	engine, err := opa.New(ctx, policies)
	if err != nil {
		return nil, err
	}
	s.release = &release.Service{Apps: s.store, Candidates: s.store, Decider: engine}
	if s.listener, err = net.Listen("tcp", cfg.Server.Addr); err != nil {
		return nil, runway.Errorf(runway.EINVALID, "cannot listen on %s: %v (is another runway up running? pick another address with --addr)", cfg.Server.Addr, err)
	}
	s.url = cfg.Server.PublicURL
	if s.url == "" {
		s.url = "http://" + displayAddr(s.listener.Addr())
	}
	if s.queue, err = jobs.Open(ctx, jobs.Options{URL: dbURL, Logger: s.log}); err != nil {
		return nil, err
	}
	if err := s.openPromotions(ctx, policies); err != nil {
		return nil, err
	}
	if err := s.openFlagsAndSecrets(ctx); err != nil {
		return nil, err
	}
	if err := s.openRuntime(ctx); err != nil {
		return nil, err
	}
	pages, err := s.webPages(ctx)
	if err != nil {
		return nil, err
	}
	if s.tracing, err = telemetry.Setup(ctx, telemetry.Options{Endpoint: cfg.Server.OTLPEndpoint, ServiceName: "runway", Version: version}); err != nil {
		return nil, err
	}
	if s.cfg.Notify.Slack.SigningSecret != "" {
		pages = append(pages, s.slackApp())
	}
	pages = append(pages, s.ofrep)
	api := web.New(web.Options{Store: s.store, Release: s.release, Promoter: s.promoter, Access: s.access, Flags: s.flags, Secrets: s.secrets,
		Deployer: s.deployer, Runbooks: s.runbooks(), Logs: s.appLogs, Traffic: s.traffic,
		Ready: s.store.Ping, Logger: s.log, Version: version, Pages: pages, Trace: s.tracing.Handler})
	if err := s.scheduleAuditVerify(ctx, api.Registry()); err != nil {
		return nil, fmt.Errorf("schedule the audit verification: %w", err)
	}
	// The proxy's per-version counts, on /metrics (the runbooks point there).
	if err := api.Registry().Register(s.proxy); err != nil {
		return nil, fmt.Errorf("serve the proxy's metrics: %w", err)
	}
	s.http = &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// webPages returns the web UI and, when single sign-on is configured, the
// sign-in flow. Sessions are signed with a key kept in the database, so
// every process on it accepts them.
func (s *server) webPages(ctx context.Context) ([]web.Registrar, error) {
	key, err := s.store.ServerSecret(runway.WithActor(ctx, "system"), "session")
	if err != nil {
		return nil, err
	}
	sessions, err := session.New(session.Options{Key: key, Secure: strings.HasPrefix(s.url, "https://")})
	if err != nil {
		return nil, err
	}
	var pages []web.Registrar
	sso := ""
	if o := s.cfg.Server.OIDC; o.Issuer != "" {
		cfg := oidc.Config{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, GroupsClaim: o.GroupsClaim,
			RedirectURL: strings.TrimSuffix(s.url, "/") + signin.CallbackPath}
		for _, m := range o.Mappings {
			cfg.Mappings = append(cfg.Mappings, oidc.Mapping{Group: m.Group, Role: runway.Role(m.Role), Team: m.Team})
		}
		provider, err := oidc.New(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("single sign-on (server.oidc): %w", err)
		}
		pages = append(pages, &signin.Flow{Provider: provider, Sessions: sessions, Users: s.store, Secure: strings.HasPrefix(s.url, "https://"), Logger: s.log})
		sso = signin.StartPath
	}
	u, err := ui.New(ui.Options{Store: s.store, Sessions: sessions, Promoter: s.promoter, Deployer: s.deployer, Runbooks: s.runbooks(), Traffic: s.traffic,
		Flags: s.flags, Secrets: s.secrets, Logger: s.log, OIDCSignIn: sso})
	if err != nil {
		return nil, err
	}
	return append(pages, u), nil
}

// runbooks write deployments' runbooks from the store.
func (s *server) runbooks() *release.Runbooks {
	return &release.Runbooks{Deployer: s.deployer, Flags: s.store, Audit: s.store, People: s.store, Promotions: s.store}
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// run serves until ctx ends, then shuts down gracefully: no new
// connections, and requests in flight get up to 20 seconds to finish.
func (s *server) run(ctx context.Context) error {
	if err := s.queue.Start(ctx); err != nil {
		return fmt.Errorf("start the job workers: %w", err)
	}
	if err := s.runRuntime(ctx); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.listener) }()
	s.log.Info("runway up", "url", s.url, "version", version, "database", string(s.store.Dialect()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	if err := s.http.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := s.queue.Stop(shutdown); err != nil {
		return fmt.Errorf("stop the job workers: %w", err)
	}
	s.closeRuntime(shutdown)
	if err := s.tracing.Shutdown(shutdown); err != nil {
		s.log.Warn("traces not flushed", "error", err.Error())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("runway stopped")
	return nil
}

// close releases the store and files.
func (s *server) close() {
	if s.listener != nil {
		s.listener.Close() // already closed after a shutdown; harmless
	}
	if s.queue != nil {
		s.queue.Close()
	}
	if s.apps != nil {
		s.apps.Close()
	}
	if s.sup != nil {
		s.sup.Close() // leaves what runs for the next start to adopt
	}
	if s.store != nil {
		s.store.Close()
	}
	if s.decLog != nil {
		s.decLog.Close()
	}
}

// bootstrap makes the first admin and prints their token, once: on a
// platform without users. The token is stored hashed, so it cannot be
// shown again.
func (s *server) bootstrap(ctx context.Context, out io.Writer, email string) error {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	ctx = runway.WithActor(ctx, "system")
	admin := &runway.User{Email: email, Name: "Administrator", Grants: []runway.RoleGrant{{Role: runway.RoleAdmin}}}
	if err := s.store.CreateUser(ctx, admin); err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	secret := runway.NewTokenSecret()
	t := &runway.Token{UserID: admin.ID, Name: "bootstrap", ExpiresAt: time.Now().Add(30 * 24 * time.Hour)}
	if err := s.store.CreateToken(ctx, t, secret); err != nil {
		return fmt.Errorf("create the first admin's token: %w", err)
	}
	fmt.Fprintf(out, "\nFirst start: the admin %s can sign in with this token (shown only now; it expires in 30 days):\n\n    %s\n\n"+
		"Keep it in a password manager. Then, from a terminal:\n    export RUNWAY_URL=%s\n    runway login\n\n",
		email, secret, s.url)
	return nil
}

// announce tells the person who started the server where it is.
func (s *server) announce(out io.Writer) {
	where := "SQLite in " + s.cfg.Server.Data
	if s.store.Dialect() == sqlstore.Postgres {
		where = "PostgreSQL"
	}
	fmt.Fprintf(out, "Runway is up at %s (data: %s). Press Ctrl+C to stop.\n", s.url, where)
	fmt.Fprintf(out, "API: %s/api/v1  ·  health: %s/healthz  ·  metrics: %s/metrics\n", strings.TrimSuffix(s.url, "/"), s.url, s.url)
	fmt.Fprintf(out, "Apps: %s/apps/APP/ENVIRONMENT/ (or http://APP.ENVIRONMENT.localhost:PORT)\n", s.appsURL)
}
