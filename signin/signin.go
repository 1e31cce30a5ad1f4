// Package signin is the web sign-in flow with an identity provider (OIDC
// single sign-on): it sends the browser to the provider, takes it back,
// brings the person's Runway account in line with what the provider says
// (their groups give their teams and roles), records the sign-in in the
// audit trail and starts a session.
//
// It composes the oidc and session packages and imports only them and the
// root runway package.
package signin

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/oidc"
	"github.com/runwayhq/runway/session"
)

// Paths of the flow.
const (
	StartPath    = "/auth/oidc/start"
	CallbackPath = "/auth/oidc/callback"
	flowCookie   = "runway_oidc_flow"
)

// Provider is the identity provider (an *oidc.Provider).
type Provider interface {
	AuthURL(state, nonce, verifier string) string
	Exchange(ctx context.Context, code, verifier, nonce string) (*oidc.Identity, error)
}

// Users keeps accounts in line with the provider and records sign-ins.
type Users interface {
	SyncUser(ctx context.Context, u *runway.User) error
	RecordEvent(ctx context.Context, action, subject string, data any) error
}

// Flow serves the two steps of a sign-in.
type Flow struct {
	Provider Provider
	Sessions *session.Manager
	Users    Users
	// Secure marks the flow cookie Secure (HTTPS deployments).
	Secure bool
	Logger *slog.Logger
}

// Register adds the flow's routes to mux.
func (f *Flow) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+StartPath, f.start)
	mux.HandleFunc("GET "+CallbackPath, f.callback)
}

// pending is what the browser keeps between the two steps.
type pending struct {
	oidc.Flow
	Next string `json:"next"`
}

// start remembers a fresh state, nonce and PKCE verifier in a short-lived
// cookie and sends the browser to the provider.
func (f *Flow) start(w http.ResponseWriter, r *http.Request) {
	p := pending{Flow: oidc.NewFlow(), Next: LocalPath(r.URL.Query().Get("next"))}
	data, _ := json.Marshal(p)
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: base64.RawURLEncoding.EncodeToString(data), Path: "/auth/oidc/",
		MaxAge: int((10 * time.Minute).Seconds()), HttpOnly: true, Secure: f.Secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, f.Provider.AuthURL(p.State, p.Nonce, p.Verifier), http.StatusFound)
}

// callback finishes the sign-in the provider sent the browser back from.
func (f *Flow) callback(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: f.Secure, SameSite: http.SameSiteLaxMode})
	p, err := readPending(r)
	if err != nil {
		f.refuse(w, r, err)
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		f.refuse(w, r, runway.Errorf(runway.EUNAUTHORIZED, "the identity provider did not sign you in (%s): try again, or ask the platform team", clip(e)))
		return
	}
	id, err := f.Provider.Exchange(r.Context(), r.URL.Query().Get("code"), p.Verifier, p.Nonce)
	if err != nil {
		f.refuse(w, r, err)
		return
	}
	ctx := runway.WithActor(r.Context(), "user:"+id.Email)
	u := &runway.User{Email: id.Email, Name: id.Name, Grants: id.Grants}
	if err := f.Users.SyncUser(ctx, u); err != nil {
		f.refuse(w, r, err)
		return
	}
	if err := f.Users.RecordEvent(ctx, "user.sign_in", "user:"+u.Email, map[string]any{"method": "oidc", "groups": id.Groups}); err != nil {
		f.refuse(w, r, err)
		return
	}
	f.Sessions.Start(w, u.Email)
	http.Redirect(w, r, p.Next, http.StatusFound)
}

// readPending reads the flow cookie and checks the state the provider
// echoed.
func readPending(r *http.Request) (*pending, error) {
	expired := runway.Errorf(runway.EUNAUTHORIZED, "the sign-in took too long or was started in another browser: start again")
	c, err := r.Cookie(flowCookie)
	if err != nil {
		return nil, expired
	}
	data, err := base64.RawURLEncoding.DecodeString(c.Value)
	var p pending
	if err != nil || json.Unmarshal(data, &p) != nil || p.State == "" {
		return nil, expired
	}
	if subtle.ConstantTimeCompare([]byte(p.State), []byte(r.URL.Query().Get("state"))) != 1 {
		return nil, runway.Errorf(runway.EUNAUTHORIZED, "the sign-in answer does not belong to the sign-in this browser started: start again")
	}
	p.Next = LocalPath(p.Next)
	return &p, nil
}

// refuse answers a failed sign-in with a plain page and records it.
func (f *Flow) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if f.Logger != nil {
		f.Logger.WarnContext(r.Context(), "sign-in refused", "error", err.Error())
	}
	status := http.StatusUnauthorized
	if runway.ErrorCode(err) == runway.EUNAVAILABLE {
		status = http.StatusServiceUnavailable
	} else if c := runway.ErrorCode(err); c == runway.ENOTFOUND || c == runway.EINVALID {
		status = http.StatusForbidden
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte("Sign-in failed: " + runway.ErrorMessage(err) + "\n\nGo back to /sign-in to try again.\n"))
}

// LocalPath returns next when it is a path on this server, else "/apps":
// a sign-in never redirects to another site.
func LocalPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/apps"
	}
	return next
}

func clip(s string) string {
	if len(s) > 80 {
		s = s[:80]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return '?'
		}
		return r
	}, s)
}
