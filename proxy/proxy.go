// Package proxy is the local runtime's reverse proxy: it routes
// APP.ENV.localhost and /apps/APP/ENV/ to the versions of an app that the
// supervisor runs, splits users between the stable version and a canary
// by weight, keeps each user on the version they were given, and measures
// every version's requests, 5xx responses, proxy errors and latency, which
// is the signal the canary analysis (package rollout) judges.
//
// The routing table is an immutable value behind an atomic pointer:
// Proxy.Swap replaces it whole, a request reads it once, and a request in
// flight finishes on the backend it started on. The forwarding itself is
// the standard library's httputil.ReverseProxy over a pooled Transport.
//
// What reaches an app: hop-by-hop headers are dropped both ways; the
// platform's cookies (runway_*, the web session among them) and its API
// tokens in Authorization are removed from requests, and an app cannot
// set a runway_* cookie; X-Forwarded-For, -Host, -Proto and (for path
// routing) -Prefix are set by the proxy, never taken from the client
// unless Options.TrustForwarded says a proxy in front sets them.
//
// proxy imports only the root runway package.
package proxy

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/runwayhq/runway"
)

// StickyCookie is the cookie in which the proxy keeps a user's random id
// when the app declares no identity of its own: the key of the canary
// split. It is set only while a split is on (0 < weight < 100), HttpOnly,
// SameSite=Lax, Secure over TLS, scoped to the app (its host, or its
// /apps/APP/ENV path) and kept for 30 days.
const StickyCookie = "runway_sticky"

// SessionCookie is the web UI's session cookie (session.CookieName, which
// a test keeps equal). Every runway_* cookie is the platform's; this one
// is named because it matters most: an app never sees it.
const SessionCookie = "runway_session"

// platformCookiePrefix starts every cookie the platform sets.
const platformCookiePrefix = "runway_"

// Options configure a Proxy. The zero value of every field is usable.
type Options struct {
	// Table is the first routing table.
	Table Table
	// Domain is the suffix of host routing: APP.ENV.Domain. Default
	// "localhost".
	Domain string
	// Transport forwards requests to the backends; nil uses a Transport
	// tuned for many keep-alive connections to local backends.
	Transport http.RoundTripper
	// ResponseHeaderTimeout bounds the wait for a backend's response
	// headers with the default Transport (504 past it). Default 60 s.
	ResponseHeaderTimeout time.Duration
	// MaxHeaderBytes bounds request headers (Proxy.Server) and backend
	// response headers (the default Transport). Default 64 KiB.
	MaxHeaderBytes int
	// Observe, when set, is called once per routed request, after the
	// response, with what happened. It runs on the request's goroutine:
	// keep it quick (hand the observation to a channel or counters).
	Observe func(Observation)
	// TrustForwarded keeps the X-Forwarded-* headers a client sends
	// (appending to X-Forwarded-For); set it only when a proxy you
	// control stands in front and sets them.
	TrustForwarded bool
	// Log receives proxy errors (a backend down or too slow); nil
	// discards them.
	Log *slog.Logger
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// Proxy is the reverse proxy. It is an http.Handler; Server gives an
// http.Server configured for it. It also is a prometheus.Collector of its
// metrics (register it on a registry of your choice).
type Proxy struct {
	table     atomic.Pointer[table]
	swapMu    sync.Mutex // serializes Swap
	domain    string
	transport http.RoundTripper
	ownsTrans bool
	observe   func(Observation)
	trust     bool
	log       *slog.Logger
	errLog    *log.Logger
	now       func() time.Time
	maxHeader int
	unrouted  atomic.Uint64
	buffers   bufferPool
}

// New returns a proxy serving o.Table. It fails (EINVALID) when the table
// is not valid.
func New(o Options) (*Proxy, error) {
	p := &Proxy{domain: strings.ToLower(o.Domain), transport: o.Transport, observe: o.Observe,
		trust: o.TrustForwarded, log: o.Log, now: o.Now, maxHeader: o.MaxHeaderBytes}
	if p.domain == "" {
		p.domain = "localhost"
	}
	if p.maxHeader <= 0 {
		p.maxHeader = 64 << 10
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.errLog = slog.NewLogLogger(p.log.Handler(), slog.LevelWarn)
	if p.transport == nil {
		timeout := o.ResponseHeaderTimeout
		if timeout <= 0 {
			timeout = 60 * time.Second
		}
		p.transport, p.ownsTrans = newTransport(timeout, p.maxHeader), true
	}
	if err := p.Swap(o.Table); err != nil {
		return nil, err
	}
	return p, nil
}

// newTransport is tuned for a proxy in front of local backends: plenty of
// idle keep-alive connections per backend (a new connection per request
// would cost more than the whole proxying), no environment proxy, no
// transparent compression (bodies pass through as the backend wrote them).
func newTransport(responseHeaderTimeout time.Duration, maxHeader int) *http.Transport {
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:           4096,
		MaxIdleConnsPerHost:    512,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		ResponseHeaderTimeout:  responseHeaderTimeout,
		MaxResponseHeaderBytes: int64(maxHeader),
		DisableCompression:     true,
	}
}

// Swap validates t and makes it the routing table, atomically: a request
// reads the table once, so it is served by the old table or the new one,
// never a mix, and requests in flight finish where they started. Counts go
// on for the versions both tables have; versions that left the table leave
// the metrics. It fails (EINVALID) on a table that is not valid and then
// changes nothing.
func (p *Proxy) Swap(t Table) error {
	p.swapMu.Lock()
	defer p.swapMu.Unlock()
	old := map[versionKey]*meter{}
	if cur := p.table.Load(); cur != nil {
		for _, rt := range cur.routes {
			for _, b := range rt.backends() {
				old[versionKey{rt.app, rt.env, b.version}] = b.meter
			}
		}
	}
	next, err := p.compile(t, func(k routeKey, version string) *meter {
		if m := old[versionKey{k.app, k.env, version}]; m != nil {
			return m
		}
		return new(meter)
	})
	if err != nil {
		return err
	}
	p.table.Store(next)
	return nil
}

// Table returns the routing table in force.
func (p *Proxy) Table() Table { return cloneTable(p.table.Load().src) }

// Close closes the idle connections of the proxy's own Transport.
func (p *Proxy) Close() {
	if t, ok := p.transport.(*http.Transport); ok && p.ownsTrans {
		t.CloseIdleConnections()
	}
}

// Server returns an http.Server for the proxy on addr, with bounded
// request headers (431 past Options.MaxHeaderBytes) and header read time,
// and no overall read or write timeout, so uploads and streams work.
func (p *Proxy) Server(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           p,
		MaxHeaderBytes:    p.maxHeader,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          p.errLog,
	}
}

// ServeHTTP routes one request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := p.now()
	t := p.table.Load()
	rt, viaPath, ok := t.lookup(r.Host, r.URL.Path, p.domain)
	if !ok {
		p.unrouted.Add(1)
		p.notFound(w, r)
		return
	}
	if viaPath && r.URL.Path == rt.prefix {
		// /apps/APP/ENV: the app's relative links need the slash.
		u := *r.URL
		u.Path, u.RawPath = rt.prefix+"/", ""
		http.Redirect(w, r, u.RequestURI(), http.StatusPermanentRedirect)
		return
	}
	b := p.pick(w, r, rt, viaPath)
	rec := recorders.Get().(*recorder)
	rec.ResponseWriter, rec.status, rec.failed = w, 0, false
	defer p.done(rt, b, rec, start)
	if viaPath {
		b.path.ServeHTTP(rec, r)
	} else {
		b.host.ServeHTTP(rec, r)
	}
}

// pick chooses the version for a request: the canary when the user's
// bucket is below the canary's threshold, else the stable version. It
// gives a new user the sticky cookie while a split is on.
func (p *Proxy) pick(w http.ResponseWriter, r *http.Request, rt *route, viaPath bool) *backend {
	switch {
	case rt.threshold <= 0:
		return rt.stable
	case rt.threshold >= runway.Buckets:
		return rt.canary
	}
	key := ""
	if rt.header != "" {
		key = firstHeader(r.Header, rt.header)
	}
	if key == "" && rt.cookie != "" {
		key = cookieValue(r.Header, rt.cookie)
	}
	if key == "" {
		if key = cookieValue(r.Header, StickyCookie); len(key) > 64 {
			key = ""
		}
	}
	if key == "" {
		key = rand.Text()
		path := "/"
		if viaPath {
			path = rt.prefix
		}
		http.SetCookie(w, &http.Cookie{Name: StickyCookie, Value: key, Path: path, MaxAge: 30 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	if runway.Bucket(rt.seed, key) < rt.threshold {
		return rt.canary
	}
	return rt.stable
}

// done records a finished request. A panic from the forwarding (the
// backend broke off its response mid-body: http.ErrAbortHandler) is
// counted as a proxy error and passed on to the server.
func (p *Proxy) done(rt *route, b *backend, rec *recorder, start time.Time) {
	v := recover()
	status := rec.status
	switch {
	case v != nil || rec.failed:
		status = 0
	case status == 0:
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	latency := p.now().Sub(start)
	b.meter.record(status, latency)
	if p.observe != nil {
		p.observe(Observation{App: rt.app, Env: rt.env, Version: b.version, Canary: b.canary,
			Status: status, Latency: latency, At: start})
	}
	if v != nil {
		panic(v)
	}
	rec.ResponseWriter = nil
	recorders.Put(rec)
}

// recorder notes the status a response got; failed marks a proxy error.
type recorder struct {
	http.ResponseWriter
	status int
	failed bool
}

var recorders = sync.Pool{New: func() any { return new(recorder) }}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Hijack takes over the connection for a protocol switch (ReverseProxy
// writes the 101 response itself, on the hijacked connection).
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err == nil && r.status == 0 {
		r.status = http.StatusSwitchingProtocols
	}
	return conn, brw, err
}

// Unwrap lets http.ResponseController reach Flush and Hijack (streaming,
// WebSocket upgrades).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// firstHeader is h.Get for a canonical key, without the canonicalization.
func firstHeader(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// cookieValue returns the value of the first cookie called name in the
// request's Cookie headers (browsers send the most specific path first).
func cookieValue(h http.Header, name string) string {
	for _, line := range h["Cookie"] {
		for part := range strings.SplitSeq(line, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if k == name {
				return strings.Trim(v, `"`)
			}
		}
	}
	return ""
}

// notFound is the plain page for a request no route matches.
func (p *Proxy) notFound(w http.ResponseWriter, r *http.Request) {
	msg := fmt.Sprintf("No app here. Apps are served at http://APP.ENV.%s/ and at /apps/APP/ENV/.\n", p.domain)
	app, env, ok := splitHost(r.Host, p.domain)
	if !ok {
		app, env, ok = splitPath(r.URL.Path)
	}
	if ok {
		msg = fmt.Sprintf("No app %q runs in %q here. Check the app's name and environment, or deploy it first.\n", app, env)
	}
	plainPage(w, http.StatusNotFound, msg)
}

func plainPage(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, msg)
}
