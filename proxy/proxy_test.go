package proxy_test

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/proxy"
	"github.com/runwayhq/runway/session"
)

// TestRouting: host routing (APP.ENV.localhost, any port, any case) and
// path routing (/apps/APP/ENV/, stripped, with X-Forwarded-Prefix); the
// rest is a plain 404.
func TestRouting(t *testing.T) {
	t.Parallel()
	shop, blog := newBackend(t, "shop-v1"), newBackend(t, "blog-v7")
	_, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{
		route(shop),
		{App: "blog", Env: "staging", Stable: proxy.Backend{Version: "v7", URL: blog.URL}},
	}}})
	for _, tc := range []struct {
		name, host, path               string
		status                         int
		version, wantPath, wantRawPath string
		wantQuery, wantPrefix          string
		location, bodyHas              string
	}{
		{name: "host", host: "shop.prod.localhost", path: "/orders?id=7", status: 200, version: "shop-v1", wantPath: "/orders", wantQuery: "id=7"},
		{name: "host with port and case", host: "Shop.PROD.localhost:8080", path: "/", status: 200, version: "shop-v1", wantPath: "/"},
		{name: "host keeps /apps paths", host: "blog.staging.localhost", path: "/apps/shop/prod/x", status: 200, version: "blog-v7", wantPath: "/apps/shop/prod/x"},
		{name: "path", path: "/apps/shop/prod/orders/7?x=1", status: 200, version: "shop-v1", wantPath: "/orders/7", wantQuery: "x=1", wantPrefix: "/apps/shop/prod"},
		{name: "path root", path: "/apps/blog/staging/", status: 200, version: "blog-v7", wantPath: "/", wantPrefix: "/apps/blog/staging"},
		{name: "path escaped", path: "/apps/shop/prod/a%2Fb", status: 200, version: "shop-v1", wantPath: "/a/b", wantRawPath: "/a%2Fb", wantPrefix: "/apps/shop/prod"},
		{name: "path without slash redirects", path: "/apps/shop/prod?q=1", status: 308, location: "/apps/shop/prod/?q=1"},
		{name: "unknown app by host", host: "nope.prod.localhost", path: "/", status: 404, bodyHas: `No app "nope" runs in "prod"`},
		{name: "unknown env by path", path: "/apps/shop/staging/", status: 404, bodyHas: `No app "shop" runs in "staging"`},
		{name: "root", path: "/", status: 404, bodyHas: "Apps are served at http://APP.ENV.localhost/"},
		{name: "other domain", host: "shop.prod.example.com", path: "/", status: 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, e, body := do(t, noRedirect, get(t, base, tc.host, tc.path))
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.location != "" && resp.Header.Get("Location") != tc.location {
				t.Errorf("Location %q, want %q", resp.Header.Get("Location"), tc.location)
			}
			if tc.bodyHas != "" {
				if !strings.Contains(body, tc.bodyHas) || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
					t.Errorf("page %q (%s), want plain text with %q", body, resp.Header.Get("Content-Type"), tc.bodyHas)
				}
			}
			if tc.version == "" {
				return
			}
			if e.Version != tc.version || e.Path != tc.wantPath || e.RawPath != tc.wantRawPath || e.Query != tc.wantQuery {
				t.Errorf("backend saw %s %q raw %q query %q, want %s %q raw %q query %q",
					e.Version, e.Path, e.RawPath, e.Query, tc.version, tc.wantPath, tc.wantRawPath, tc.wantQuery)
			}
			if got := e.Header.Get("X-Forwarded-Prefix"); got != tc.wantPrefix {
				t.Errorf("X-Forwarded-Prefix %q, want %q", got, tc.wantPrefix)
			}
			wantHost := tc.host
			if wantHost == "" {
				wantHost = strings.TrimPrefix(base, "http://")
			}
			if got := e.Header.Get("X-Forwarded-Host"); got != wantHost {
				t.Errorf("X-Forwarded-Host %q, want %q", got, wantHost)
			}
			if e.Header.Get("X-Forwarded-Proto") != "http" || e.Header.Get("X-Forwarded-For") != "127.0.0.1" {
				t.Errorf("X-Forwarded-Proto %q, X-Forwarded-For %q", e.Header.Get("X-Forwarded-Proto"), e.Header.Get("X-Forwarded-For"))
			}
		})
	}
}

// TestForwardedHeadersFromClients: a client's X-Forwarded-* are replaced,
// unless the proxy is told a trusted proxy stands in front.
func TestForwardedHeadersFromClients(t *testing.T) {
	t.Parallel()
	b := newBackend(t, "v1")
	spoof := []string{"X-Forwarded-For", "10.9.9.9", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https",
		"X-Forwarded-Prefix", "/evil", "Forwarded", "for=10.9.9.9"}
	_, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{route(b)}}})
	_, e, _ := do(t, nil, get(t, base, "", "/apps/shop/prod/", spoof...))
	if got := []string{e.Header.Get("X-Forwarded-For"), e.Header.Get("X-Forwarded-Host"), e.Header.Get("X-Forwarded-Proto"),
		e.Header.Get("X-Forwarded-Prefix"), e.Header.Get("Forwarded")}; strings.Join(got, "|") != "127.0.0.1|"+strings.TrimPrefix(base, "http://")+"|http|/apps/shop/prod|" {
		t.Errorf("untrusted: backend saw %q", got)
	}
	_, trusted := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{route(b)}}, TrustForwarded: true})
	_, e, _ = do(t, nil, get(t, trusted, "", "/apps/shop/prod/", spoof...))
	if got := []string{e.Header.Get("X-Forwarded-For"), e.Header.Get("X-Forwarded-Host"), e.Header.Get("X-Forwarded-Proto"),
		e.Header.Get("X-Forwarded-Prefix")}; strings.Join(got, "|") != "10.9.9.9, 127.0.0.1|evil.example|https|/evil/apps/shop/prod" {
		t.Errorf("trusted: backend saw %q", got)
	}
}

// TestSessionCookieName: the proxy strips the cookie the web UI really
// uses.
func TestSessionCookieName(t *testing.T) {
	if proxy.SessionCookie != session.CookieName {
		t.Fatalf("proxy.SessionCookie is %q but the session cookie is %q", proxy.SessionCookie, session.CookieName)
	}
}

// TestWhatAppsNeverSee: hop-by-hop headers (both ways), the platform's
// cookies and API tokens, and an app's attempt to set the platform's
// session cookie.
func TestWhatAppsNeverSee(t *testing.T) {
	t.Parallel()
	token := runway.NewTokenSecret()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var leaked []string
		for _, h := range []string{"Connection", "Keep-Alive", "X-Hop", "Proxy-Authorization", "Te", "Trailer", "Upgrade"} {
			if v := r.Header.Values(h); len(v) > 0 {
				leaked = append(leaked, h+": "+strings.Join(v, ","))
			}
		}
		cookies := strings.Join(r.Header.Values("Cookie"), " | ")
		if strings.Contains(cookies, "runway_") || strings.Contains(cookies, token) {
			leaked = append(leaked, "Cookie: "+cookies)
		}
		if a := r.Header.Get("Authorization"); strings.Contains(a, "rwy_") || strings.Contains(a, base64.StdEncoding.EncodeToString([]byte("ci:"+token))) {
			leaked = append(leaked, "Authorization: "+a)
		}
		w.Header().Set("Connection", "X-Internal")
		w.Header().Set("X-Internal", "backend secret")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Add("Set-Cookie", "runway_session=forged; Path=/")
		w.Header().Add("Set-Cookie", "app_pref=dark; Path=/")
		w.Header().Set("X-Seen-Cookie", cookies)
		w.Header().Set("X-Seen-Authorization", r.Header.Get("Authorization"))
		io.WriteString(w, strings.Join(leaked, "\n"))
	}))
	t.Cleanup(backend.Close)
	_, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{route(backend)}}})

	for _, tc := range []struct {
		name, auth, cookie, wantCookie, wantAuth string
	}{
		{name: "bearer token", auth: "Bearer " + token, cookie: "runway_session=abc; theme=dark; runway_sticky=x", wantCookie: "theme=dark"},
		{name: "token in basic", auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("ci:"+token)), cookie: "runway_session=abc"},
		{name: "the app's own credentials", auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:pw")), cookie: "a=1; b=2",
			wantCookie: "a=1; b=2", wantAuth: "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:pw"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := get(t, base, "shop.prod.localhost", "/", "Authorization", tc.auth, "Cookie", tc.cookie,
				"Connection", "X-Hop, Keep-Alive", "X-Hop", "1", "Keep-Alive", "300", "Proxy-Authorization", "Basic eA==", "Te", "gzip")
			resp, _, body := do(t, nil, req)
			if resp.StatusCode != 200 || body != "" {
				t.Fatalf("status %d; the backend saw: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("X-Seen-Cookie"); got != tc.wantCookie {
				t.Errorf("backend saw Cookie %q, want %q", got, tc.wantCookie)
			}
			if got := resp.Header.Get("X-Seen-Authorization"); got != tc.wantAuth {
				t.Errorf("backend saw Authorization %q, want %q", got, tc.wantAuth)
			}
			if resp.Header.Get("X-Internal") != "" || resp.Header.Get("Keep-Alive") != "" {
				t.Errorf("hop-by-hop response headers reached the client: %v", resp.Header)
			}
			if sc := resp.Header.Values("Set-Cookie"); len(sc) != 1 || !strings.HasPrefix(sc[0], "app_pref=") {
				t.Errorf("Set-Cookie %q: the app must not set runway_session", sc)
			}
		})
	}
}

// TestHeaderLimits: oversized request headers stop at the proxy (431);
// oversized response headers are a proxy error (502).
func TestHeaderLimits(t *testing.T) {
	t.Parallel()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("b", 20<<10))
	}))
	t.Cleanup(huge.Close)
	b := newBackend(t, "v1")
	p, base := newProxy(t, proxy.Options{MaxHeaderBytes: 8 << 10, Table: proxy.Table{Routes: []proxy.Route{
		route(b), {App: "huge", Env: "prod", Stable: proxy.Backend{Version: "h1", URL: huge.URL}},
	}}})
	resp, _, _ := do(t, nil, get(t, base, "shop.prod.localhost", "/", "X-Big", strings.Repeat("a", 20<<10)))
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 20 KiB request header got %d, want 431", resp.StatusCode)
	}
	resp, _, body := do(t, nil, get(t, base, "huge.prod.localhost", "/"))
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "The app huge (prod, version h1) is not answering") {
		t.Errorf("a 20 KiB response header got %d %q, want 502 with a plain page", resp.StatusCode, body)
	}
	if s := statsOf(p, "huge", "h1"); s.ProxyErrors != 1 {
		t.Errorf("proxy errors %d, want 1", s.ProxyErrors)
	}
}

// TestUpgradePassesThrough: a protocol switch (WebSocket and the like)
// reaches the backend and the two sides talk through the proxy.
func TestUpgradePassesThrough(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" {
			http.Error(w, "want Upgrade: echo", 400)
			return
		}
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "echo")
		w.WriteHeader(http.StatusSwitchingProtocols)
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		line, _ := brw.ReadString('\n')
		brw.WriteString("echo: " + line)
		brw.Flush()
	}))
	t.Cleanup(backend.Close)
	seen := make(chan proxy.Observation, 1)
	_, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{route(backend)}},
		Observe: func(o proxy.Observation) { seen <- o }})
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: shop.prod.localhost\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	io.WriteString(conn, "hello\n")
	if line, _ := br.ReadString('\n'); line != "echo: hello\n" {
		t.Errorf("through the upgraded connection: %q", line)
	}
	conn.Close()
	if o := <-seen; o.Status != http.StatusSwitchingProtocols {
		t.Errorf("observed %+v, want status 101", o)
	}
}

func statsOf(p *proxy.Proxy, app, version string) proxy.VersionStats {
	for _, s := range p.Stats() {
		if s.App == app && s.Version == version {
			return s
		}
	}
	return proxy.VersionStats{}
}
