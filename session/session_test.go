package session

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func manager(t *testing.T, now *time.Time) *Manager {
	t.Helper()
	m, err := New(Options{Key: []byte(strings.Repeat("k", 32)), Secure: true, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// signIn returns a request carrying a fresh session cookie, and the session.
func signIn(t *testing.T, m *Manager) (*http.Cookie, *Session) {
	t.Helper()
	rec := httptest.NewRecorder()
	s := m.Start(rec, "ana@example.com")
	c := rec.Result().Cookies()[0]
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("cookie attributes: %+v", c)
	}
	if strings.Contains(c.Value, "ana@example.com") {
		t.Fatal("the cookie shows the email in clear text")
	}
	return c, s
}

func TestSessions(t *testing.T) {
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	m := manager(t, &now)
	c, s := signIn(t, m)
	read := func(value string) *Session {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: CookieName, Value: value})
		return m.Read(r)
	}
	if got := read(c.Value); got == nil || got.Email != "ana@example.com" || got.CSRF != s.CSRF {
		t.Fatalf("Read = %+v", got)
	}
	payload, sig, _ := strings.Cut(c.Value, ".")
	other := manager(t, &now)
	other.key = []byte(strings.Repeat("x", 32))
	forged := httptest.NewRecorder()
	other.Start(forged, "admin@example.com")
	for name, v := range map[string]string{
		"empty": "", "no signature": payload, "bad base64": payload + ".!!!",
		"signature of another payload": flip(payload) + "." + sig,
		"another key":                  forged.Result().Cookies()[0].Value,
	} {
		if read(v) != nil {
			t.Errorf("%s: accepted", name)
		}
	}
	now = now.Add(13 * time.Hour)
	if read(c.Value) != nil {
		t.Error("an expired session was accepted")
	}
	if _, err := New(Options{Key: []byte("short")}); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestCSRF(t *testing.T) {
	now := time.Now()
	m := manager(t, &now)
	_, s := signIn(t, m)
	form := url.Values{"csrf": {s.CSRF}}.Encode()
	cases := []struct {
		name   string
		method string
		origin string
		header string
		body   string
		ok     bool
	}{
		{"GET needs nothing", "GET", "", "", "", true},
		{"POST with header", "POST", "", s.CSRF, "", true},
		{"POST with form field", "POST", "http://runway.test", "", form, true},
		{"POST without token", "POST", "", "", "", false},
		{"POST with wrong token", "POST", "", "nope", "", false},
		{"POST from another origin", "POST", "http://evil.test", s.CSRF, "", false},
		{"DELETE without token", "DELETE", "", "", "", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "http://runway.test/x", strings.NewReader(c.body))
		if c.body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.header != "" {
			r.Header.Set(CSRFHeader, c.header)
		}
		if err := CheckCSRF(r, s); (err == nil) != c.ok {
			t.Errorf("%s: CheckCSRF = %v, want ok=%t", c.name, err, c.ok)
		}
	}
	if CheckCSRF(httptest.NewRequest("POST", "/", nil), nil) == nil {
		t.Error("a POST without a session passed")
	}
}

func FuzzRead(f *testing.F) {
	now := time.Now()
	m, _ := New(Options{Key: []byte(strings.Repeat("k", 32)), Now: func() time.Time { return now }})
	rec := httptest.NewRecorder()
	m.Start(rec, "ana@example.com")
	f.Add(rec.Result().Cookies()[0].Value)
	f.Add("e30.AAAA")
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", CookieName+"="+v)
		if s := m.Read(r); s != nil && s.Email != "ana@example.com" {
			t.Fatalf("a forged cookie was accepted: %+v", s)
		}
	})
}

// flip changes the first character of a base64 text.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
