package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/proxy"
)

// TestSwapUnderLoad: 32 clients send 8,000 requests on loopback (by host
// and by path, new and returning users) while the routing table is
// swapped over and over between five tables (versions in and out, canary
// weights up and down): not one request fails.
func TestSwapUnderLoad(t *testing.T) {
	t.Parallel()
	v1, v2, v3 := newBackend(t, "v1"), newBackend(t, "v2"), newBackend(t, "v3")
	b := func(v string, s *httptest.Server) proxy.Backend { return proxy.Backend{Version: v, URL: s.URL} }
	tables := []proxy.Table{
		{Routes: []proxy.Route{{App: "shop", Env: "prod", Stable: b("v1", v1)}}},
		{Routes: []proxy.Route{{App: "shop", Env: "prod", Stable: b("v1", v1), Canary: b("v2", v2), CanaryWeight: 20}}},
		{Routes: []proxy.Route{{App: "shop", Env: "prod", Stable: b("v1", v1), Canary: b("v2", v2), CanaryWeight: 50}}},
		{Routes: []proxy.Route{{App: "shop", Env: "prod", Stable: b("v2", v2), Canary: b("v3", v3), CanaryWeight: 5}}},
		{Routes: []proxy.Route{{App: "shop", Env: "prod", Stable: b("v3", v3)}, {App: "blog", Env: "prod", Stable: b("v1", v1)}}},
	}
	var observed, observedBad atomic.Int64
	p, base := newProxy(t, proxy.Options{Table: tables[0], Observe: func(o proxy.Observation) {
		observed.Add(1)
		if o.Status != http.StatusOK {
			observedBad.Add(1)
		}
	}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	t.Cleanup(client.CloseIdleConnections)

	const clients, total = 32, 8000
	var sent, failed, swaps atomic.Int64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for i := 1; ; i++ {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if err := p.Swap(tables[i%len(tables)]); err != nil {
				t.Error(err)
				return
			}
			swaps.Add(1)
		}
	}()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for n := 0; sent.Add(1) <= total; n++ {
				req := get(t, base, "shop.prod.localhost", "/")
				if c%2 == 1 {
					req = get(t, base, "", "/apps/shop/prod/x")
				}
				if n%3 != 0 { // a returning user
					req.Header.Set("Cookie", fmt.Sprintf("%s=client-%d", proxy.StickyCookie, c))
				}
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					t.Errorf("request: %v", err)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), `"version":"v`) {
					failed.Add(1)
					t.Errorf("status %d, body %q, err %v", resp.StatusCode, body, err)
				}
			}
		})
	}
	wg.Wait()
	close(done)
	if failed.Load() > 0 || swaps.Load() < 100 {
		t.Fatalf("%d of %d requests failed across %d table swaps", failed.Load(), total, swaps.Load())
	}
	if observed.Load() != total || observedBad.Load() != 0 {
		t.Errorf("the observer heard of %d requests (%d not 200), want %d (0)", observed.Load(), observedBad.Load(), total)
	}
	t.Logf("%d requests across %d table swaps: none failed", total, swaps.Load())
}

// TestInFlightFinishesWhereItStarted: a request in flight when the table
// changes completes on its version; the next one goes to the new table.
func TestInFlightFinishesWhereItStarted(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "slow v1")
	}))
	t.Cleanup(slow.Close)
	v2 := newBackend(t, "v2")
	p, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{route(slow)}}})
	result := make(chan string)
	go func() {
		resp, err := http.Get(base + "/apps/shop/prod/")
		if err != nil {
			result <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		result <- fmt.Sprint(resp.StatusCode, " ", string(body))
	}()
	<-started
	if err := p.Swap(proxy.Table{Routes: []proxy.Route{{App: "shop", Env: "prod", Stable: proxy.Backend{Version: "v2", URL: v2.URL}}}}); err != nil {
		t.Fatal(err)
	}
	if _, e, _ := do(t, nil, get(t, base, "", "/apps/shop/prod/")); e.Version != "v2" {
		t.Errorf("after the swap a new request went to %q", e.Version)
	}
	close(release)
	if got := <-result; got != "200 slow v1" {
		t.Errorf("the request in flight got %q, want 200 from v1", got)
	}
}

// TestBadTablesAreRefused: an invalid table is refused with a plain
// reason, and the table in force stays.
func TestBadTablesAreRefused(t *testing.T) {
	t.Parallel()
	b := newBackend(t, "v1")
	p, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{route(b)}}})
	ok := proxy.Backend{Version: "v1", URL: b.URL}
	for _, tc := range []struct {
		name  string
		route proxy.Route
		want  string
	}{
		{"app name", proxy.Route{App: "Shop", Env: "prod", Stable: ok}, "the app name must be a DNS label"},
		{"env", proxy.Route{App: "shop", Env: "prod.eu", Stable: ok}, "the environment must be a DNS label"},
		{"no stable", proxy.Route{App: "shop", Env: "prod"}, "the stable version is missing"},
		{"weight", proxy.Route{App: "shop", Env: "prod", Stable: ok, Canary: proxy.Backend{Version: "v2", URL: b.URL}, CanaryWeight: 101}, "not a percentage"},
		{"weight without canary", proxy.Route{App: "shop", Env: "prod", Stable: ok, CanaryWeight: 5}, "needs a canary version"},
		{"same versions", proxy.Route{App: "shop", Env: "prod", Stable: ok, Canary: ok}, "are both"},
		{"address", proxy.Route{App: "shop", Env: "prod", Stable: proxy.Backend{Version: "v1", URL: "127.0.0.1:80"}}, "is not http(s)://HOST:PORT"},
		{"canary address", proxy.Route{App: "shop", Env: "prod", Stable: ok, Canary: proxy.Backend{Version: "v2", URL: "ftp://x"}}, "is not http(s)://HOST:PORT"},
	} {
		err := p.Swap(proxy.Table{Routes: []proxy.Route{tc.route}})
		if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want EINVALID saying %q", tc.name, err, tc.want)
		}
	}
	if err := p.Swap(proxy.Table{Routes: []proxy.Route{route(b), route(b)}}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate route: %v", err)
	}
	if _, e, _ := do(t, nil, get(t, base, "shop.prod.localhost", "/")); e.Version != "v1" {
		t.Errorf("after refused swaps the proxy serves %q", e.Version)
	}
	if got := p.Table(); len(got.Routes) != 1 || got.Routes[0] != route(b) {
		t.Errorf("Table() = %+v", got)
	}
	if _, err := proxy.New(proxy.Options{Table: proxy.Table{Routes: []proxy.Route{{App: "x"}}}}); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("New with a bad table: %v", err)
	}
}
