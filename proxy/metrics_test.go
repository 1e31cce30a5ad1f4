package proxy_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/runwayhq/runway/proxy"
)

// clock is a fake time that moves by step each time it is read, so a
// request (read at its start and at its end) lasts exactly one step.
type clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// TestMetricsAndObservations: each version counts its requests, its 5xx,
// its proxy errors (a backend down, a response cut off) and their
// latencies; the observer hears of every request once; the Prometheus
// collector shows the same.
func TestMetricsAndObservations(t *testing.T) {
	t.Parallel()
	stable, canary := newBackend(t, "v1"), newBackend(t, "v2")
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "only part")
		conn, _, _ := http.NewResponseController(w).Hijack()
		conn.Close()
	}))
	t.Cleanup(cut.Close)
	down := closedAddress(t)
	observed := make(chan proxy.Observation, 16)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	clk := &clock{now: t0, step: 3 * time.Millisecond}
	p, base := newProxy(t, proxy.Options{Now: clk.Now,
		Observe: func(o proxy.Observation) { observed <- o },
		Table: proxy.Table{Routes: []proxy.Route{
			{App: "shop", Env: "prod", StickyHeader: "X-User", CanaryWeight: 82,
				Stable: proxy.Backend{Version: "v1", URL: stable.URL}, Canary: proxy.Backend{Version: "v2", URL: canary.URL}},
			{App: "cut", Env: "prod", Stable: proxy.Backend{Version: "c1", URL: cut.URL}},
			{App: "down", Env: "prod", Stable: proxy.Backend{Version: "d1", URL: down}},
		}}})

	// A new connection each time: a client retries a GET that met a
	// closed keep-alive connection, which would count twice.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	send := func(host, path, user string, status int) {
		t.Helper()
		resp, err := client.Do(get(t, base, host, path, "X-User", user))
		if err != nil {
			if status != 0 {
				t.Fatal(err)
			}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if status != 0 && resp.StatusCode != status {
			t.Fatalf("%s%s: %d, want %d", host, path, resp.StatusCode, status)
		}
	}
	send("shop.prod.localhost", "/", "user-2", 200)           // stable
	send("shop.prod.localhost", "/status/500", "user-2", 500) // stable
	send("shop.prod.localhost", "/", "user-1", 200)           // canary
	send("shop.prod.localhost", "/", "user-3", 200)           // canary
	send("shop.prod.localhost", "/status/500", "user-3", 500) // canary
	send("down.prod.localhost", "/", "", 502)
	send("cut.prod.localhost", "/", "", 0) // cut off: the client gets an error or a short body
	send("nope.prod.localhost", "/", "", 404)

	want := []proxy.Observation{
		{App: "shop", Env: "prod", Version: "v1", Status: 200},
		{App: "shop", Env: "prod", Version: "v1", Status: 500},
		{App: "shop", Env: "prod", Version: "v2", Canary: true, Status: 200},
		{App: "shop", Env: "prod", Version: "v2", Canary: true, Status: 200},
		{App: "shop", Env: "prod", Version: "v2", Canary: true, Status: 500},
		{App: "down", Env: "prod", Version: "d1", Status: 0},
		{App: "cut", Env: "prod", Version: "c1", Status: 0},
	}
	var seen []proxy.Observation
	for i := range want {
		// Each request reads the clock at its start and its end.
		want[i].Latency, want[i].At = clk.step, t0.Add(time.Duration(2*i+1)*clk.step)
		seen = append(seen, <-observed)
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(p)
	text := exposition(t, reg)
	for _, line := range []string{
		`# TYPE runway_proxy_requests_total counter`,
		`runway_proxy_requests_total{app="cut",env="prod",version="c1"} 1`,
		`runway_proxy_requests_total{app="down",env="prod",version="d1"} 1`,
		`runway_proxy_requests_total{app="shop",env="prod",version="v1"} 2`,
		`runway_proxy_requests_total{app="shop",env="prod",version="v2"} 3`,
		`runway_proxy_responses_5xx_total{app="cut",env="prod",version="c1"} 0`,
		`runway_proxy_responses_5xx_total{app="shop",env="prod",version="v1"} 1`,
		`runway_proxy_responses_5xx_total{app="shop",env="prod",version="v2"} 1`,
		`runway_proxy_errors_total{app="cut",env="prod",version="c1"} 1`,
		`runway_proxy_errors_total{app="down",env="prod",version="d1"} 1`,
		`runway_proxy_errors_total{app="shop",env="prod",version="v2"} 0`,
		`runway_proxy_weight_percent{app="shop",env="prod",role="stable",version="v1"} 18`,
		`runway_proxy_weight_percent{app="shop",env="prod",role="canary",version="v2"} 82`,
		`runway_proxy_weight_percent{app="down",env="prod",role="stable",version="d1"} 100`,
		`runway_proxy_unrouted_total 1`,
		`# TYPE runway_proxy_request_duration_seconds histogram`,
		`runway_proxy_request_duration_seconds_bucket{app="shop",env="prod",version="v1",le="0.0025"} 0`,
		`runway_proxy_request_duration_seconds_bucket{app="shop",env="prod",version="v1",le="0.005"} 2`,
		`runway_proxy_request_duration_seconds_bucket{app="shop",env="prod",version="v1",le="+Inf"} 2`,
		`runway_proxy_request_duration_seconds_sum{app="shop",env="prod",version="v2"} 0.009`,
		`runway_proxy_request_duration_seconds_count{app="shop",env="prod",version="v2"} 3`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("the exposition lacks %s", line)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	s := statsOf(p, "shop", "v2")
	if s.Latency.Count != 3 || s.Latency.Quantile(0.5) <= 2500*time.Microsecond || s.Latency.Quantile(0.5) > 5*time.Millisecond {
		t.Errorf("v2 latency %+v, median %v", s.Latency, s.Latency.Quantile(0.5))
	}
}

// exposition is what a /metrics endpoint on reg would show.
func exposition(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// closedAddress is the URL of a loopback port nobody listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// TestClientGoneIsNotAProxyError: a client that gives up before the
// backend answers counts as 499, not against the version.
func TestClientGoneIsNotAProxyError(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}), make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); slow.Close() })
	seen := make(chan proxy.Observation, 1)
	p, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{route(slow)}},
		Observe: func(o proxy.Observation) { seen <- o }})
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: shop.prod.localhost\r\n\r\n")
	<-arrived
	conn.Close()
	if o := <-seen; o.Status != 499 {
		t.Errorf("observed %+v, want status 499", o)
	}
	if s := statsOf(p, "shop", "v1"); s.Requests != 1 || s.ProxyErrors != 0 || s.Errors5xx != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestQuantile estimates within buckets as Prometheus does.
func TestQuantile(t *testing.T) {
	h := proxy.Histogram{
		Bounds: []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond},
		Counts: []uint64{50, 40, 9, 1},
		Count:  100,
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{
		{0.5, time.Millisecond},
		{0.25, 500 * time.Microsecond},
		{0.7, 1500 * time.Microsecond},
		{0.99, 4 * time.Millisecond},
		{0.999, 4 * time.Millisecond}, // the overflow bucket answers the last bound
	} {
		if got := h.Quantile(tc.q); got != tc.want {
			t.Errorf("Quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := (proxy.Histogram{}).Quantile(0.5); got != 0 {
		t.Errorf("empty: %v", got)
	}
}
