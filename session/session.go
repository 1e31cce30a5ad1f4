// Package session keeps people signed in to the web UI: a signed,
// time-limited cookie (HttpOnly, SameSite=Lax, Secure unless the server is
// plain HTTP on loopback) naming the user, with a per-session CSRF token
// that every state-changing request must echo.
//
// Sessions are stateless: any `runway up` process holding the key (kept in
// the database, shared by all of them) can read them. They cannot be
// revoked one by one; they expire (12 hours by default), and rotating the
// key ends them all.
//
// session imports only the root runway package.
package session

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// CookieName is the session cookie's name.
const CookieName = "runway_session"

// CSRFHeader is the header (or, for forms, the field "csrf") that carries
// the session's CSRF token on state-changing requests.
const CSRFHeader = "X-CSRF-Token"

// Manager issues and reads sessions.
type Manager struct {
	key    []byte
	secure bool
	ttl    time.Duration
	now    func() time.Time
}

// Options configure a Manager.
type Options struct {
	// Key signs the cookies: at least 32 random bytes.
	Key []byte
	// Secure marks cookies Secure; set it whenever the server is reached
	// over HTTPS (everywhere but a laptop).
	Secure bool
	// TTL is how long a session lasts (default 12 hours).
	TTL time.Duration
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// New returns a Manager.
func New(o Options) (*Manager, error) {
	if len(o.Key) < 32 {
		return nil, runway.Errorf(runway.EINTERNAL, "session key: need at least 32 bytes, got %d", len(o.Key))
	}
	if o.TTL == 0 {
		o.TTL = 12 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Manager{key: o.Key, secure: o.Secure, ttl: o.TTL, now: o.Now}, nil
}

// Session is a signed-in person's session.
type Session struct {
	Email   string    `json:"e"`
	CSRF    string    `json:"c"`
	Expires time.Time `json:"x"`
}

// Start signs email in: it sets the session cookie and returns the session.
func (m *Manager) Start(w http.ResponseWriter, email string) *Session {
	var b [18]byte
	rand.Read(b[:])
	s := &Session{Email: email, CSRF: base64.RawURLEncoding.EncodeToString(b[:]), Expires: m.now().Add(m.ttl).UTC().Truncate(time.Second)}
	payload, _ := json.Marshal(s)
	value := base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(m.sign(payload))
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: value, Path: "/", Expires: s.Expires,
		HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode})
	return s
}

// End signs out: it clears the cookie.
func (m *Manager) End(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode})
}

// Read returns the request's session, or nil when it has none or its
// cookie is forged, damaged or expired.
func (m *Manager) Read(r *http.Request) *Session {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil
	}
	p, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return nil
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, m.sign(payload)) {
		return nil
	}
	var s Session
	if json.Unmarshal(payload, &s) != nil || s.Email == "" || s.CSRF == "" || !m.now().Before(s.Expires) {
		return nil
	}
	return &s
}

func (m *Manager) sign(payload []byte) []byte {
	h := hmac.New(sha256.New, m.key)
	h.Write([]byte("runway session v1\x00"))
	h.Write(payload)
	return h.Sum(nil)
}

// CheckCSRF guards a state-changing request made with a session: the
// request must come from the same origin (when the browser says where it
// comes from) and carry the session's CSRF token in the X-CSRF-Token
// header or the "csrf" form field. Safe methods pass.
func CheckCSRF(r *http.Request, s *Session) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	refused := runway.Errorf(runway.EFORBIDDEN, "this request did not come from a Runway page (CSRF check): reload the page and try again")
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return refused
		}
	}
	token := r.Header.Get(CSRFHeader)
	if token == "" {
		token = r.PostFormValue("csrf")
	}
	if s == nil || subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) != 1 {
		return refused
	}
	return nil
}
