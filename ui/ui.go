// Package ui serves Runway's web UI: server-rendered html/template pages
// for the people who run the platform and the people who own apps. It
// shows the app catalog with each app's last check, an app's latest check
// in plain language (decision, tier and why, approvals needed, findings
// grouped by what to do), the history of its candidates, promotion
// requests (an approval inbox per person, and a page per request with its
// whole context where approvers approve or reject), deployments (a page
// each with its canary's progress, refreshed while it moves, a "Roll
// back now" form, and its runbook), an app's feature flags (per
// environment, each with its rules in words, its history, on/off buttons,
// a kill switch and a "what does someone get?" form), its secrets (names,
// versions and authors, never values: the web takes no secret value), and
// the audit trail. People sign in by pasting an API token or, when configured, with
// single sign-on; their session is a signed cookie (package session).
//
// Pages work without JavaScript; htmx (vendored under static/, served from
// this binary, never from a CDN) only narrows the app list as people type
// and refreshes a deployment's progress while it moves.
// Every response carries a strict Content-Security-Policy: no inline
// script or style.
//
// Handlers read stores and ask the access package whether the principal
// may see something; promotions go through release.Promoter, flag changes
// through flags.Service and secrets through secrets.Service. They hold no
// business rule. Forms that change something carry the session's CSRF
// token.
//
// ui imports the root package, access, report, session, release, flags
// and secrets; it
// must not import stores, policy engines or other adapters.
package ui

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/secrets"
	"github.com/runwayhq/runway/session"
)

// Store is what the UI reads. *sqlstore.DB satisfies it.
type Store interface {
	runway.TeamStore
	runway.AppStore
	runway.CandidateStore
	runway.AuditLog
	runway.AuditRecorder
	// Authenticate returns the user and token a secret belongs to;
	// EUNAUTHORIZED when the secret is unknown, revoked or expired.
	Authenticate(ctx context.Context, secret string) (*runway.User, *runway.Token, error)
	// FindUser returns a user by email; ENOTFOUND when there is none.
	FindUser(ctx context.Context, email string) (*runway.User, error)
}

// Options configure a UI.
type Options struct {
	Store    Store
	Sessions *session.Manager
	// Promoter runs promotion requests and their approvals; nil leaves
	// out the approval pages and the promotion form.
	Promoter *release.Promoter
	// Deployer shows deployments and rolls them back by hand; nil leaves
	// out the deployment pages and the app page's deployments.
	Deployer *release.Deployer
	// Runbooks write the runbook a deployment's page shows; nil leaves
	// it out.
	Runbooks *release.Runbooks
	// Traffic returns what the proxy measured of an environment's
	// versions; nil leaves it out.
	Traffic func(app string, env runway.Environment) []release.VersionTraffic
	// Flags shows and changes apps' feature flags; nil leaves out the
	// flag pages.
	Flags *flags.Service
	// Secrets lists apps' secrets (never their values); nil says on the
	// secrets page that secrets are not set up on this server.
	Secrets *secrets.Service
	// Logger receives the causes of internal errors; nothing when nil.
	Logger *slog.Logger
	// Now returns the current time, for "3 hours ago"; time.Now when nil.
	Now func() time.Time
	// OIDCSignIn is the URL of the single sign-on button on the sign-in
	// page; "" hides the button.
	OIDCSignIn string
}

// UI is the web UI's handlers.
type UI struct {
	opt    Options
	pages  *pages
	static http.Handler
}

//go:embed static
var staticFiles embed.FS

// New returns a UI, or an error when an option is missing or a template
// does not parse.
func New(o Options) (*UI, error) {
	if o.Store == nil || o.Sessions == nil {
		return nil, runway.Errorf(runway.EINTERNAL, "ui: Store and Sessions are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	p, err := parsePages(o.Now)
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	return &UI{opt: o, pages: p, static: http.StripPrefix("/static/", http.FileServerFS(static))}, nil
}

// Register adds the UI's routes to mux.
func (u *UI) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		http.Redirect(w, r, "/apps", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /static/", u.serveStatic)
	mux.HandleFunc("GET /sign-in", u.signInForm)
	mux.HandleFunc("POST /sign-in", u.signIn)
	mux.HandleFunc("POST /sign-out", u.signOut)
	mux.HandleFunc("GET /apps", u.page(access.ReadCatalog, u.apps))
	mux.HandleFunc("GET /apps/{app}", u.page(access.ReadCatalog, u.app))
	mux.HandleFunc("GET /apps/{app}/secrets", u.page(access.ReadCatalog, u.secrets))
	mux.HandleFunc("GET /audit", u.page(access.ReadAudit, u.audit))
	if u.opt.Flags != nil {
		// flags.Service decides who may change which environment's flags.
		mux.HandleFunc("GET /apps/{app}/flags", u.page(access.ReadCatalog, u.flagList))
		mux.HandleFunc("GET /apps/{app}/flags/{env}/{key}", u.page(access.ReadCatalog, u.flag))
		mux.HandleFunc("POST /apps/{app}/flags/{env}/{key}/on", u.page(access.ReadCatalog, u.flagSwitch(true)))
		mux.HandleFunc("POST /apps/{app}/flags/{env}/{key}/off", u.page(access.ReadCatalog, u.flagSwitch(false)))
		mux.HandleFunc("POST /apps/{app}/flags/{env}/{key}/kill", u.page(access.ReadCatalog, u.killFlag))
	}
	if u.opt.Promoter != nil {
		// release.Promoter asks access about each app's team.
		mux.HandleFunc("POST /apps/{app}/promote", u.page(access.ReadCatalog, u.promote))
		mux.HandleFunc("GET /approvals", u.page(access.ReadCatalog, u.approvals))
		mux.HandleFunc("GET /approvals/{id}", u.page(access.ReadCatalog, u.approval))
		mux.HandleFunc("POST /approvals/{id}/answer", u.page(access.ReadCatalog, u.answer))
		mux.HandleFunc("POST /approvals/{id}/withdraw", u.page(access.ReadCatalog, u.withdraw))
	}
	if u.opt.Deployer != nil {
		// release.Deployer asks access about each deployment's team.
		mux.HandleFunc("GET /deployments/{id}", u.page(access.ReadCatalog, u.deployment))
		mux.HandleFunc("POST /deployments/{id}/rollback", u.page(access.ReadCatalog, u.rollBack))
	}
}

// Principal returns who the request's session belongs to, with the user's
// full rights (no token scopes). Without a valid session, or when the
// session's user no longer exists, it returns the anonymous principal.
func (u *UI) Principal(r *http.Request) (access.Principal, error) {
	p, _, err := u.signedIn(r)
	return p, err
}

// signedIn returns the principal and the session of the request.
func (u *UI) signedIn(r *http.Request) (access.Principal, *session.Session, error) {
	s := u.opt.Sessions.Read(r)
	if s == nil {
		return access.Principal{}, nil, nil
	}
	user, err := u.opt.Store.FindUser(r.Context(), s.Email)
	switch {
	case runway.ErrorCode(err) == runway.ENOTFOUND:
		return access.Principal{}, nil, nil
	case err != nil:
		return access.Principal{}, nil, err
	}
	return access.Principal{User: user}, s, nil
}

// handler serves one page to a signed-in person.
type handler func(w http.ResponseWriter, r *http.Request, v *view) error

// page wraps a handler: security headers, sign-in (anonymous people are
// sent to the sign-in page and back), the CSRF token of forms, and the
// page's action checked with access before the handler runs.
func (u *UI) page(action access.Action, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				u.fail(w, r, nil, err)
				return
			}
		}
		p, s, err := u.signedIn(r)
		if err != nil {
			u.fail(w, r, nil, err)
			return
		}
		if p.User == nil {
			u.toSignIn(w, r)
			return
		}
		v := newView(p, s)
		if err := session.CheckCSRF(r, s); err != nil {
			u.fail(w, r, v, err)
			return
		}
		if err := access.Require(p, action, ""); err != nil {
			u.fail(w, r, v, err)
			return
		}
		if err := u.countInbox(r, v); err != nil {
			u.fail(w, r, v, err)
			return
		}
		if err := h(w, r, v); err != nil {
			u.fail(w, r, v, err)
		}
	}
}

// toSignIn sends an anonymous person to the sign-in page, to come back to
// where they were going: for a form, the page it is on (a form posts to a
// path below its page, such as /approvals/7/answer from /approvals/7). htmx
// requests get the redirect as a header, so that the whole page changes
// rather than a fragment of it.
func (u *UI) toSignIn(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if r.Method == http.MethodPost {
		next = path.Dir(r.URL.Path)
	}
	target := "/sign-in?next=" + url.QueryEscape(next)
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (u *UI) serveStatic(w http.ResponseWriter, r *http.Request) {
	secure(w)
	if strings.HasSuffix(r.URL.Path, "/") {
		http.NotFound(w, r) // no folder listings
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	u.static.ServeHTTP(w, r)
}

// contentSecurityPolicy allows only this server's own scripts, styles and
// images, and requests to itself: no inline code, no framing, no plugins.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secure sets the security headers every response carries.
func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// fail renders the error page with the error's status. Internal errors are
// logged with their cause and shown with a generic message.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := runway.HTTPStatus(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		status, err = http.StatusRequestEntityTooLarge, runway.Errorf(runway.EINVALID, "what you sent is too large")
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		u.opt.Logger.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	if v == nil {
		v = &view{}
	}
	v.Title = errorTitle(status)
	v.Data = errorPage{Status: status, Message: runway.ErrorMessage(err)}
	u.render(w, r, status, "error", v)
}
