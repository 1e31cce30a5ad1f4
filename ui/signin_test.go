package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/session"
	"github.com/runwayhq/runway/ui"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	scoped := runway.NewTokenSecret()
	must(t, p.store.CreateToken(runwaytest.Ctx, &runway.Token{UserID: p.users["developer"].ID, Name: "ci", Scopes: []string{access.ScopeSubmit},
		ExpiresAt: p.clock.Now().Add(time.Hour)}, scoped))
	bad := runway.NewTokenSecret()
	type signIn struct {
		name     string
		form     url.Values
		headers  []string
		status   int
		location string
		want     []string
	}
	tests := []signIn{
		{name: "good token", form: url.Values{"token": {p.tokens["developer"]}}, status: http.StatusSeeOther, location: "/apps"},
		{name: "good token goes back", form: url.Values{"token": {p.tokens["developer"]}, "next": {"/apps/wiki?after=3"}},
			status: http.StatusSeeOther, location: "/apps/wiki?after=3"},
		{name: "pasted with spaces", form: url.Values{"token": {"  " + p.tokens["admin"] + "\n"}}, status: http.StatusSeeOther, location: "/apps"},
		{name: "unknown token", form: url.Values{"token": {bad}, "next": {"/audit"}}, status: http.StatusUnauthorized,
			want: []string{"That token was not accepted", `name="next" value="/audit"`}},
		{name: "not a token", form: url.Values{"token": {"hunter2"}}, status: http.StatusUnauthorized, want: []string{"That token was not accepted"}},
		{name: "empty", form: url.Values{"token": {""}}, status: http.StatusBadRequest, want: []string{"Paste your API token"}},
		{name: "scoped token", form: url.Values{"token": {scoped}}, status: http.StatusForbidden, want: []string{"limited to some tasks"}},
		{name: "from another site", form: url.Values{"token": {p.tokens["admin"]}}, headers: []string{"Origin", "https://evil.example"},
			status: http.StatusForbidden, want: []string{"did not come from a Runway page"}},
		{name: "from this site", form: url.Values{"token": {p.tokens["admin"]}}, headers: []string{"Origin", p.srv.URL},
			status: http.StatusSeeOther, location: "/apps"},
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example", "apps", "/apps\r\nSet-Cookie: x=1", "javascript:alert(1)"} {
		tests = append(tests, signIn{name: "open redirect " + next, form: url.Values{"token": {p.tokens["admin"]}, "next": {next}}, status: http.StatusSeeOther, location: "/apps"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := p.store.AuditHead(context.Background())
			res := p.post(t, "", "/sign-in", tt.form, tt.headers...)
			sc := scenario{status: tt.status, location: tt.location, want: tt.want}
			if secret := strings.TrimSpace(tt.form.Get("token")); secret != "" {
				sc.not = []string{secret} // a token is never echoed
			}
			check(t, res, sc)
			cookie := res.header.Get("Set-Cookie")
			signedIn := strings.HasPrefix(cookie, session.CookieName+"=")
			if signedIn != (tt.status == http.StatusSeeOther) {
				t.Errorf("Set-Cookie %q after status %d", cookie, res.status)
			}
			if signedIn {
				entries, err := p.store.AuditEntries(context.Background(), runway.AuditFilter{Page: runway.Page{After: before.Seq}})
				if err != nil || len(entries) == 0 || entries[len(entries)-1].Action != "user.sign_in" {
					t.Errorf("a sign-in left no user.sign_in audit entry: %v %+v", err, entries)
				}
			}
		})
	}
}

func TestSignInPage(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	check(t, p.get(t, "", "/sign-in?next=%2Fapps%2Fwiki"), scenario{status: http.StatusOK,
		want: []string{`<label for="token">API token</label>`, `type="password"`, `name="next" value="/apps/wiki"`},
		not:  []string{"single sign-on</a>"}})
	check(t, p.get(t, "", "/sign-in?next=https%3A%2F%2Fevil.example"), scenario{status: http.StatusOK,
		want: []string{`name="next" value="/apps"`}, not: []string{"evil.example"}})

	sso := newPlatform(t, func(o *ui.Options) { o.OIDCSignIn = "/auth/oidc/start" })
	check(t, sso.get(t, "", "/sign-in"), scenario{status: http.StatusOK,
		want: []string{`<a class="button" href="/auth/oidc/start">Sign in with single sign-on</a>`, `name="token"`}})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	cookie, csrf := p.signIn(t, "developer")
	post := func(form url.Values, headers ...string) response {
		req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/sign-out", strings.NewReader(form.Encode()))
		must(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		return p.do(t, "", req, headers...)
	}
	refused := scenario{status: http.StatusForbidden, want: []string{"CSRF check", "reload the page"}}
	check(t, post(url.Values{}), refused)
	check(t, post(url.Values{"csrf": {"forged"}}), refused)
	check(t, post(url.Values{"csrf": {csrf}}, "Origin", "https://evil.example"), refused)

	res := post(url.Values{"csrf": {csrf}})
	check(t, res, scenario{status: http.StatusSeeOther, location: "/sign-in"})
	if c := res.header.Get("Set-Cookie"); !strings.Contains(c, session.CookieName+"=;") || !strings.Contains(c, "Max-Age=0") {
		t.Errorf("sign-out cookie %q does not clear the session", c)
	}
	check(t, p.post(t, "", "/sign-out", url.Values{}), scenario{status: http.StatusSeeOther, location: "/sign-in"})
}

func TestPrincipal(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	req := httptest.NewRequest(http.MethodGet, "/apps", nil)
	if got, err := p.ui.Principal(req); err != nil || got.User != nil {
		t.Errorf("no session: %+v, %v; want anonymous", got, err)
	}
	cookie, _ := p.signIn(t, "team-lead")
	req.AddCookie(cookie)
	got, err := p.ui.Principal(req)
	if err != nil || got.User == nil || got.User.Email != "team-lead@example.com" || got.Scopes != nil {
		t.Errorf("session: %+v, %v; want team-lead with full rights", got, err)
	}

	gone := httptest.NewRecorder()
	p.sessions.Start(gone, "left@example.com")
	req = httptest.NewRequest(http.MethodGet, "/apps", nil)
	req.AddCookie(gone.Result().Cookies()[0])
	if got, err := p.ui.Principal(req); err != nil || got.User != nil {
		t.Errorf("session of an unknown person: %+v, %v; want anonymous", got, err)
	}
}

// TestEscaping submits an app whose description, finding and search carry
// markup: every page shows it as text.
func TestEscaping(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	const (
		desc  = `<script>alert("description")</script>`
		title = `<img src=x onerror=alert("title")>`
		query = `"><script>alert(1)</script>`
	)
	sub := submission("hostile", "web", desc, "team", []runway.Finding{{ID: "x", Check: "lint", Kind: runway.KindLint, Severity: runway.SeverityLow,
		Title: title, Message: `<b onmouseover="alert('message')">hover</b>`, File: `"><svg onload=alert(1)>.js`, Line: 1, Fix: `<a href="javascript:alert('fix')">fix</a>`}})
	p.submit(t, "team-lead", sub)
	res := p.get(t, "developer", "/apps/hostile")
	check(t, res, scenario{status: http.StatusOK,
		want: []string{"&lt;script&gt;alert(&#34;description&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(&#34;title&#34;)&gt;",
			"&lt;b onmouseover=", "&lt;a href=&#34;javascript:"},
		not: []string{desc, title, "<b onmouseover", "<svg", `<a href="javascript:`}})
	res = p.get(t, "developer", "/apps?q="+url.QueryEscape(query))
	check(t, res, scenario{status: http.StatusOK, want: []string{`value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`}, not: []string{query}})
	res = p.get(t, "admin", "/audit?subject="+url.QueryEscape(query))
	check(t, res, scenario{status: http.StatusOK, not: []string{query}})
}
