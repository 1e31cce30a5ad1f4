package proxy_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/proxy"
)

// canaryRoute is shop.prod with a stable and a canary version.
func canaryRoute(stable, canary string, weight float64) proxy.Route {
	return proxy.Route{App: "shop", Env: "prod", CanaryWeight: weight,
		Stable: proxy.Backend{Version: "v1", URL: stable}, Canary: proxy.Backend{Version: "v2", URL: canary}}
}

// TestSplitIsTheDocumentedHash: the split is reproducible outside Runway:
// bucket = first 8 bytes of SHA-256("shop.prod/" + key), big-endian, mod
// 10,000 (computed apart with Python's hashlib), canary below weight×100.
func TestSplitIsTheDocumentedHash(t *testing.T) {
	t.Parallel()
	stable, canary := newBackend(t, "v1"), newBackend(t, "v2")
	r := canaryRoute(stable.URL, canary.URL, 82)
	r.StickyHeader = "X-User"
	_, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{r}}})
	for key, want := range map[string]string{"user-1": "v2" /* 8145 < 8200 */, "user-2": "v1" /* 8749 */, "user-3": "v2" /* 2965 */} {
		_, e, _ := do(t, nil, get(t, base, "shop.prod.localhost", "/", "X-User", key))
		if e.Version != want {
			t.Errorf("%s went to %s, want %s", key, e.Version, want)
		}
	}
	if got := runway.Bucket(proxy.Seed("shop", "prod"), "user-1"); got != 8145 {
		t.Errorf("bucket of user-1 is %d, want 8145", got)
	}
}

// TestRaisingTheWeightKeepsCanaryUsers: 5% → 20% → 50% of 2,000 users by a
// declared header; every user's version follows the bucket rule, each
// share is close to its weight, and nobody leaves the canary.
func TestRaisingTheWeightKeepsCanaryUsers(t *testing.T) {
	t.Parallel()
	stable, canary := newBackend(t, "v1"), newBackend(t, "v2")
	p, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{route(stable)}}})
	const users = 2000
	onCanary := map[string]bool{}
	for _, weight := range []float64{5, 20, 50} {
		r := canaryRoute(stable.URL, canary.URL, weight)
		r.StickyHeader = "X-User"
		if err := p.Swap(proxy.Table{Routes: []proxy.Route{r}}); err != nil {
			t.Fatal(err)
		}
		n := 0
		for i := range users {
			key := fmt.Sprintf("user-%d", i)
			_, e, _ := do(t, nil, get(t, base, "", "/apps/shop/prod/", "X-User", key))
			want := runway.Bucket(proxy.Seed("shop", "prod"), key) < int(weight*100)
			if (e.Version == "v2") != want {
				t.Fatalf("at %v%% %s went to %s, against its bucket", weight, key, e.Version)
			}
			if onCanary[key] && e.Version != "v2" {
				t.Fatalf("raising the weight to %v%% moved %s off the canary", weight, key)
			}
			if e.Version == "v2" {
				onCanary[key] = true
				n++
			}
		}
		if share := 100 * float64(n) / users; math.Abs(share-weight) > 2.5 {
			t.Errorf("at %v%% the canary had %.1f%% of the users", weight, share)
		}
	}
	// Both versions stayed in every table: their counts went on.
	if s1, s2 := statsOf(p, "shop", "v1"), statsOf(p, "shop", "v2"); s1.Requests+s2.Requests != 3*users || s2.Weight != 50 {
		t.Errorf("after three tables: v1 %+v, v2 %+v", s1, s2)
	}
}

// TestStickyCookie: without a declared identity the proxy gives a new
// user a random id in an HttpOnly, SameSite=Lax cookie scoped to the app,
// and the user keeps their version; the app never sees the cookie.
func TestStickyCookie(t *testing.T) {
	t.Parallel()
	stable, canary := newBackend(t, "v1"), newBackend(t, "v2")
	_, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{canaryRoute(stable.URL, canary.URL, 50)}}})
	for _, tc := range []struct{ name, host, path, cookiePath string }{
		{"host", "shop.prod.localhost", "/", "/"},
		{"path", "", "/apps/shop/prod/", "/apps/shop/prod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			versions := map[string]int{}
			for range 40 {
				jar, _ := cookiejar.New(nil)
				c := &http.Client{Jar: jar}
				resp, e, _ := do(t, c, get(t, base, tc.host, tc.path))
				cs := resp.Cookies()
				if len(cs) != 1 || cs[0].Name != proxy.StickyCookie || len(cs[0].Value) < 26 || !cs[0].HttpOnly ||
					cs[0].SameSite != http.SameSiteLaxMode || cs[0].Path != tc.cookiePath || cs[0].MaxAge <= 0 {
					t.Fatalf("first response's cookies: %+v", cs)
				}
				first := e.Version
				versions[first]++
				for range 5 {
					resp, e, _ := do(t, c, get(t, base, tc.host, tc.path+"next"))
					if e.Version != first || len(resp.Cookies()) != 0 {
						t.Fatalf("a returning user moved from %s to %s (cookies %v)", first, e.Version, resp.Cookies())
					}
					if cookie := e.Header.Get("Cookie"); cookie != "" {
						t.Fatalf("the app saw Cookie %q", cookie)
					}
				}
			}
			if versions["v1"] == 0 || versions["v2"] == 0 {
				t.Errorf("40 new users at 50%%: %v", versions)
			}
		})
	}
}

// TestDeclaredIdentity: the app's header wins over its cookie, which wins
// over the proxy's; with either, the proxy sets no cookie of its own.
func TestDeclaredIdentity(t *testing.T) {
	t.Parallel()
	stable, canary := newBackend(t, "v1"), newBackend(t, "v2")
	r := canaryRoute(stable.URL, canary.URL, 82) // user-1 (8145) on the canary, user-2 (8749) not
	r.StickyHeader, r.StickyCookie = "X-User", "uid"
	_, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{r}}})
	for _, tc := range []struct {
		name    string
		header  []string
		version string
	}{
		{"header", []string{"X-User", "user-1", "Cookie", "uid=user-2"}, "v2"},
		{"cookie", []string{"Cookie", "theme=dark; uid=user-2", "Cookie", proxy.StickyCookie + "=user-1"}, "v1"},
		{"proxy cookie", []string{"Cookie", proxy.StickyCookie + "=user-1"}, "v2"},
	} {
		resp, e, _ := do(t, nil, get(t, base, "shop.prod.localhost", "/", tc.header...))
		if e.Version != tc.version || len(resp.Cookies()) != 0 {
			t.Errorf("%s: went to %s (cookies %v), want %s and no cookie", tc.name, e.Version, resp.Cookies(), tc.version)
		}
	}
}

// TestWeightEdges: at 0% and 100% there is no split: everyone goes to one
// version and nobody gets a cookie.
func TestWeightEdges(t *testing.T) {
	t.Parallel()
	stable, canary := newBackend(t, "v1"), newBackend(t, "v2")
	for weight, want := range map[float64]string{0: "v1", 100: "v2"} {
		_, base := newProxy(t, proxy.Options{Table: proxy.Table{Routes: []proxy.Route{canaryRoute(stable.URL, canary.URL, weight)}}})
		for range 20 {
			resp, e, _ := do(t, nil, get(t, base, "shop.prod.localhost", "/"))
			if e.Version != want || len(resp.Cookies()) != 0 {
				t.Fatalf("at %v%%: %s with cookies %v, want %s and none", weight, e.Version, resp.Cookies(), want)
			}
		}
	}
}
