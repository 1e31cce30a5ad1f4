package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/runwayhq/runway/proxy"
)

// BenchmarkProxy is one request at a time over loopback, in one process:
// client → backend ("direct") against client → proxy → backend. The
// proxy's added latency is the difference; allocs/op count the client,
// the proxy and the backend together. bench/proxy.sh measures the same
// against nginx under an open-loop load.
func BenchmarkProxy(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from the app\n")
	}))
	defer backend.Close()
	p, base := newProxy(b, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{
		{App: "shop", Env: "prod", Stable: proxy.Backend{Version: "v1", URL: backend.URL}},
		{App: "shop", Env: "canary", Stable: proxy.Backend{Version: "v1", URL: backend.URL},
			Canary: proxy.Backend{Version: "v2", URL: backend.URL}, CanaryWeight: 50},
	}}})
	defer p.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	for _, bc := range []struct {
		name, url, host, cookie string
	}{
		{name: "direct", url: backend.URL + "/"},
		{name: "host", url: base + "/", host: "shop.prod.localhost"},
		{name: "path", url: base + "/apps/shop/prod/"},
		{name: "canary split", url: base + "/", host: "shop.canary.localhost", cookie: proxy.StickyCookie + "=returning-user"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodGet, bc.url, nil)
			req.Host = bc.host
			if bc.cookie != "" {
				req.Header.Set("Cookie", bc.cookie)
			}
			b.ReportAllocs()
			for b.Loop() {
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatal(resp.Status)
				}
			}
		})
	}
}

// roundTripFunc answers in memory, for measuring the proxy's own work.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// BenchmarkServeHTTP is the proxy's own work per request (routing, the
// split, header hygiene, metrics, ReverseProxy), without the network: the
// backend answers in memory.
func BenchmarkServeHTTP(b *testing.B) {
	transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1, ContentLength: 6, Request: r,
			Header: http.Header{"Content-Type": {"text/plain"}}, Body: io.NopCloser(strings.NewReader("hello\n"))}, nil
	})
	p, err := proxy.New(proxy.Options{Transport: transport, Table: proxy.Table{Routes: []proxy.Route{
		{App: "shop", Env: "prod", Stable: proxy.Backend{Version: "v1", URL: "http://127.0.0.1:1"},
			Canary: proxy.Backend{Version: "v2", URL: "http://127.0.0.1:2"}, CanaryWeight: 50},
	}}})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, host, path, cookie string }{
		{"host", "shop.prod.localhost", "/orders", proxy.StickyCookie + "=returning-user"},
		{"path with session cookie", "localhost", "/apps/shop/prod/orders", proxy.SessionCookie + "=s; " + proxy.StickyCookie + "=returning-user"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "http://"+bc.host+bc.path, nil)
			req.Header.Set("Cookie", bc.cookie)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				w.Body.Reset()
				clear(w.Header())
				p.ServeHTTP(w, req)
			}
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		})
	}
}
