package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/runwayhq/runway/proxy"
)

// echo is what the test backends answer: the request as they received it.
type echo struct {
	Version string      `json:"version"`
	Method  string      `json:"method"`
	Host    string      `json:"host"`
	Path    string      `json:"path"`
	RawPath string      `json:"raw_path"`
	Query   string      `json:"query"`
	Header  http.Header `json:"header"`
	Body    string      `json:"body"`
}

// newBackend starts a real HTTP server on loopback that echoes requests
// as JSON, naming its version. /status/500 answers 500.
func newBackend(t testing.TB, version string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/status/500" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(echo{Version: version, Method: r.Method, Host: r.Host, Path: r.URL.Path,
			RawPath: r.URL.RawPath, Query: r.URL.RawQuery, Header: r.Header, Body: string(body)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newProxy starts the proxy on loopback, behind its own http.Server.
func newProxy(t testing.TB, o proxy.Options) (*proxy.Proxy, string) {
	t.Helper()
	p, err := proxy.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(p)
	srv.Config = p.Server("")
	srv.Start()
	t.Cleanup(func() { srv.Close(); p.Close() })
	return p, srv.URL
}

// route is a route of app "shop" in env "prod" with a stable backend.
func route(stable *httptest.Server) proxy.Route {
	return proxy.Route{App: "shop", Env: "prod", Stable: proxy.Backend{Version: "v1", URL: stable.URL}}
}

// do sends a request through the proxy (optionally as host) and decodes
// the echo when the backend answered.
func do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, echo, string) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var e echo
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
	}
	return resp, e, string(body)
}

func get(t testing.TB, base, host, path string, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	return req
}

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
