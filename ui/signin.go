package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/session"
)

// signInPage is the sign-in page's data.
type signInPage struct {
	Next  string
	OIDC  string
	Error string
}

// maxFormBytes bounds the sign-in and sign-out forms.
const maxFormBytes = 16 << 10

func (u *UI) signInForm(w http.ResponseWriter, r *http.Request) {
	secure(w)
	u.showSignIn(w, r, http.StatusOK, safeNext(r.URL.Query().Get("next")), "")
}

func (u *UI) showSignIn(w http.ResponseWriter, r *http.Request, status int, next, problem string) {
	v := &view{Title: "Sign in", Data: signInPage{Next: next, OIDC: u.opt.OIDCSignIn, Error: problem}}
	u.render(w, r, status, "sign-in", v)
}

// signIn exchanges a pasted API token for a session. The token is never
// echoed back, not even when it is refused.
func (u *UI) signIn(w http.ResponseWriter, r *http.Request) {
	secure(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, nil, runway.Errorf(runway.EINVALID, "the sign-in form could not be read: reload the page and try again"))
		return
	}
	next := safeNext(r.PostFormValue("next"))
	// Nobody has a session yet, so there is no CSRF token to check; a
	// cross-site form is refused by its origin instead.
	if !sameOrigin(r) {
		u.fail(w, r, nil, runway.Errorf(runway.EFORBIDDEN, "this sign-in did not come from a Runway page: open the sign-in page and try again"))
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	if secret == "" {
		u.showSignIn(w, r, http.StatusBadRequest, next, "Paste your API token to sign in.")
		return
	}
	user, token, err := u.opt.Store.Authenticate(r.Context(), secret)
	switch {
	case runway.ErrorCode(err) == runway.EUNAUTHORIZED:
		u.showSignIn(w, r, http.StatusUnauthorized, next,
			"That token was not accepted: it may be mistyped, expired or revoked. Check it, or ask an admin for a new one.")
		return
	case err != nil:
		u.fail(w, r, nil, err)
		return
	case len(token.Scopes) > 0:
		// A session carries the user's full rights: a token limited to
		// some scopes must not become more than it is.
		u.showSignIn(w, r, http.StatusForbidden, next,
			"That token is limited to some tasks (such as submitting from CI), so it cannot open a web session. Use a token without limits, or single sign-on.")
		return
	}
	ctx := runway.WithActor(r.Context(), "user:"+user.Email)
	if err := u.opt.Store.RecordEvent(ctx, "user.sign_in", "user:"+user.Email, map[string]any{"method": "token", "token": token.ID}); err != nil {
		u.fail(w, r, nil, err)
		return
	}
	u.opt.Sessions.Start(w, user.Email)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signOut ends the session. It is a form post with the CSRF token, so
// that another site cannot sign people out.
func (u *UI) signOut(w http.ResponseWriter, r *http.Request) {
	secure(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	s := u.opt.Sessions.Read(r)
	if s == nil {
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return
	}
	if err := session.CheckCSRF(r, s); err != nil {
		u.fail(w, r, nil, err)
		return
	}
	if err := u.opt.Store.RecordEvent(runway.WithActor(r.Context(), "user:"+s.Email), "user.sign_out", "user:"+s.Email, nil); err != nil {
		u.fail(w, r, nil, err)
		return
	}
	u.opt.Sessions.End(w)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

// sameOrigin reports whether a request's Origin, when the browser sends
// one, is this server.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o, err := url.Parse(origin)
	return err == nil && o.Host == r.Host
}

// safeNext returns next when it is a path on this server, else "/apps":
// the sign-in page must not send people to another site.
func safeNext(next string) string {
	const home = "/apps"
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return next
}
