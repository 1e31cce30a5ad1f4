package signin_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/oidc"
	"github.com/runwayhq/runway/oidc/oidctest"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/session"
	"github.com/runwayhq/runway/signin"
	"github.com/runwayhq/runway/sqlstore"
)

type rig struct {
	idp      *oidctest.IdP
	srv      *httptest.Server
	store    *sqlstore.DB
	sessions *session.Manager
	client   *http.Client
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, sqlstore.Options{URL: filepath.Join(t.TempDir(), "runway.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for _, team := range []string{"web", "data"} {
		if err := store.CreateTeam(runwaytest.Ctx, &runway.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
	}
	r := &rig{idp: oidctest.New(t), store: store}
	r.sessions, _ = session.New(session.Options{Key: make([]byte, 32)})
	mux := http.NewServeMux()
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	p, err := oidc.New(ctx, oidc.Config{Issuer: r.idp.URL, ClientID: r.idp.ClientID, ClientSecret: r.idp.ClientSecret,
		RedirectURL: r.srv.URL + signin.CallbackPath, Mappings: []oidc.Mapping{
			{Group: "eng-web", Role: runway.RoleDeveloper, Team: "web"},
			{Group: "sec", Role: runway.RoleSecurity},
		}})
	if err != nil {
		t.Fatal(err)
	}
	(&signin.Flow{Provider: p, Sessions: r.sessions, Users: store}).Register(mux)
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, req *http.Request) {
		if s := r.sessions.Read(req); s != nil {
			fmt.Fprint(w, s.Email)
		}
	})
	jar, _ := cookiejar.New(nil)
	r.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return r
}

// signIn plays the browser through the whole flow and returns the final
// response of the callback.
func (r *rig) signIn(t *testing.T, next string, tamperState bool) *http.Response {
	t.Helper()
	res, err := r.client.Get(r.srv.URL + signin.StartPath + "?next=" + url.QueryEscape(next))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("start: %v %v", res, err)
	}
	code, state := r.idp.Authorize(t, res.Header.Get("Location"))
	if tamperState {
		state = "forged"
	}
	res, err = r.client.Get(r.srv.URL + signin.CallbackPath + "?code=" + url.QueryEscape(code) + "&state=" + url.QueryEscape(state))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *rig) whoami(t *testing.T) string {
	res, err := r.client.Get(r.srv.URL + "/whoami")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestSignIn(t *testing.T) {
	r := newRig(t)
	r.idp.SetUser(oidctest.User{Subject: "1", Email: "ana@example.com", Name: "Ana", EmailVerified: true, Groups: []string{"eng-web", "sec", "unrelated"}})
	res := r.signIn(t, "/apps/wiki", false)
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/apps/wiki" {
		t.Fatalf("callback: %s → %s", res.Status, res.Header.Get("Location"))
	}
	if got := r.whoami(t); got != "ana@example.com" {
		t.Fatalf("signed in as %q", got)
	}
	u, err := r.store.FindUser(context.Background(), "ana@example.com")
	if err != nil || fmt.Sprint(u.Grants) != "[{developer web} {security }]" || u.Name != "Ana" {
		t.Fatalf("user after sign-in: %+v %v", u, err)
	}
	entries, _ := r.store.AuditEntries(context.Background(), runway.AuditFilter{Subject: "user:ana@example.com"})
	if len(entries) != 2 || entries[1].Action != "user.sign_in" || entries[1].Actor != "user:ana@example.com" {
		t.Fatalf("audit: %+v", entries)
	}
	// Groups change at the provider: the next sign-in follows.
	r.idp.SetUser(oidctest.User{Subject: "1", Email: "ana@example.com", Name: "Ana", EmailVerified: true, Groups: []string{"sec"}})
	r.signIn(t, "/", false)
	if u, _ := r.store.FindUser(context.Background(), "ana@example.com"); fmt.Sprint(u.Grants) != "[{security }]" {
		t.Fatalf("grants after the provider dropped a group: %v", u.Grants)
	}
}

func TestSignInRefusals(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(*rig)
		tamper bool
		status int
		says   string
	}{
		{"forged state", nil, true, 401, "does not belong to the sign-in this browser started"},
		{"wrong audience", func(r *rig) { r.idp.SetFault(oidctest.WrongAudience) }, false, 401, "Sign-in failed"},
		{"unsigned token", func(r *rig) { r.idp.SetFault(oidctest.Unsigned) }, false, 401, "Sign-in failed"},
		{"expired token", func(r *rig) { r.idp.SetFault(oidctest.Expired) }, false, 401, "Sign-in failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			if c.setup != nil {
				c.setup(r)
			}
			res := r.signIn(t, "https://evil.example/", c.tamper)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.status || !strings.Contains(string(body), c.says) {
				t.Fatalf("status %d, body %q", res.StatusCode, body)
			}
			if r.whoami(t) != "" {
				t.Fatal("a refused sign-in started a session")
			}
		})
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/apps/x": "/apps/x", "": "/apps", "https://evil.example": "/apps", "//evil.example": "/apps",
		"/\\evil.example": "/apps", "/a\r\nSet-Cookie: x": "/apps", "apps": "/apps",
	} {
		if got := signin.LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLocalPath(f *testing.F) {
	f.Add("/apps")
	f.Add("//x")
	f.Fuzz(func(t *testing.T, s string) {
		got := signin.LocalPath(s)
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") {
			t.Fatalf("LocalPath(%q) = %q leaves the site", s, got)
		}
	})
}
