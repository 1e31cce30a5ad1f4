package proxy

import (
	"math"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/runwayhq/runway"
)

// Table is the routing table: where each app's environment runs. The
// proxy holds one at a time and replaces it whole (Proxy.Swap); a table
// is never changed in place.
type Table struct {
	Routes []Route `json:"routes"`
}

// Route sends an app's environment to its stable version and, during a
// canary, a weighted share of its users to the canary version.
type Route struct {
	App string `json:"app"` // a DNS label, as in runway.yaml
	Env string `json:"env"` // a DNS label: sandbox, staging, production
	// Stable serves every user not assigned to the canary.
	Stable Backend `json:"stable"`
	// Canary, when its Version is set, serves CanaryWeight percent of
	// the users.
	Canary Backend `json:"canary,omitzero"`
	// CanaryWeight is the percentage of users (0 to 100, in steps of
	// 0.01) sent to the canary. A user goes to the canary when
	// runway.Bucket(Seed(App, Env), key) < CanaryWeight*100, so raising
	// the weight only adds users: whoever was on the canary stays there.
	CanaryWeight float64 `json:"canary_weight,omitempty"`
	// StickyHeader and StickyCookie name a request header and a cookie
	// the app declares as the user's identity (say X-User-Id, or its own
	// session cookie). The first present is the key of the split; without
	// either the proxy's own cookie (StickyCookie) is.
	StickyHeader string `json:"sticky_header,omitempty"`
	StickyCookie string `json:"sticky_cookie,omitempty"`
}

// Backend is one running version of an app.
type Backend struct {
	Version string `json:"version"` // what metrics and observations call it
	URL     string `json:"url"`     // http://127.0.0.1:PORT, where it listens
}

// Seed is the seed of an app's canary split in runway.Bucket: the app's
// name and environment joined by a dot, as in its host name
// (expense-approvals.production). A feature flag seeded the same way
// splits users exactly as the canary does.
func Seed(app, env string) string { return app + "." + env }

// routeKey finds a route; lookups use substrings of the request's host or
// path, so they allocate nothing.
type routeKey struct{ app, env string }

// table is a compiled Table: immutable once published.
type table struct {
	src    Table
	routes map[routeKey]*route
}

type route struct {
	app, env  string
	seed      string // Seed(app, env)
	prefix    string // /apps/APP/ENV
	stable    *backend
	canary    *backend // nil without a canary
	threshold int      // buckets below it go to the canary
	header    string   // declared sticky header, canonical
	cookie    string   // declared sticky cookie
}

type backend struct {
	version string
	canary  bool
	target  *url.URL
	meter   *meter
	weight  float64 // percent of users, for the gauge
	host    *httputil.ReverseProxy
	path    *httputil.ReverseProxy
}

// validate checks a table and says, in words, what is wrong with it.
func (t Table) validate() error {
	seen := map[routeKey]bool{}
	for _, r := range t.Routes {
		if err := r.validate(); err != nil {
			return err
		}
		k := routeKey{r.App, r.Env}
		if seen[k] {
			return runway.Errorf(runway.EINVALID, "the routing table has %s.%s twice: keep one route per app and environment", r.App, r.Env)
		}
		seen[k] = true
	}
	return nil
}

func (r Route) validate() error {
	name := r.App + "." + r.Env
	switch {
	case !dnsLabel(r.App):
		return runway.Errorf(runway.EINVALID, "route %q: the app name must be a DNS label (a-z, 0-9 and -, at most 63)", name)
	case !dnsLabel(r.Env):
		return runway.Errorf(runway.EINVALID, "route %q: the environment must be a DNS label (a-z, 0-9 and -, at most 63)", name)
	case r.Stable.Version == "":
		return runway.Errorf(runway.EINVALID, "route %q: the stable version is missing", name)
	case math.IsNaN(r.CanaryWeight) || r.CanaryWeight < 0 || r.CanaryWeight > 100:
		return runway.Errorf(runway.EINVALID, "route %q: the canary weight %v is not a percentage between 0 and 100", name, r.CanaryWeight)
	case r.CanaryWeight > 0 && r.Canary.Version == "":
		return runway.Errorf(runway.EINVALID, "route %q: a canary weight of %v%% needs a canary version", name, r.CanaryWeight)
	case r.Canary.Version != "" && r.Canary.Version == r.Stable.Version:
		return runway.Errorf(runway.EINVALID, "route %q: the canary and the stable version are both %q", name, r.Stable.Version)
	}
	if err := checkURL(name, r.Stable); err != nil {
		return err
	}
	if r.Canary.Version != "" {
		return checkURL(name, r.Canary)
	}
	return nil
}

func checkURL(route string, b Backend) error {
	u, err := url.Parse(b.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return runway.Errorf(runway.EINVALID, "route %q: version %q has the address %q, which is not http(s)://HOST:PORT", route, b.Version, b.URL)
	}
	return nil
}

// dnsLabel reports whether s is a lowercase DNS label (RFC 1123).
func dnsLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// compile builds the table the proxy serves. Meters are kept across
// tables by app, environment and version, so counts go on through a
// swap; newMeter gives the meter of a version (new or kept).
func (p *Proxy) compile(src Table, newMeter func(routeKey, string) *meter) (*table, error) {
	if err := src.validate(); err != nil {
		return nil, err
	}
	t := &table{src: cloneTable(src), routes: make(map[routeKey]*route, len(src.Routes))}
	for _, r := range src.Routes {
		k := routeKey{r.App, r.Env}
		rt := &route{
			app: r.App, env: r.Env, seed: Seed(r.App, r.Env), prefix: "/apps/" + r.App + "/" + r.Env,
			threshold: int(math.Round(r.CanaryWeight * 100)),
			cookie:    r.StickyCookie,
		}
		if r.StickyHeader != "" {
			rt.header = http.CanonicalHeaderKey(r.StickyHeader)
		}
		rt.stable = p.newBackend(rt, r.Stable, false, 100-r.CanaryWeight, newMeter(k, r.Stable.Version))
		if r.Canary.Version != "" {
			rt.canary = p.newBackend(rt, r.Canary, true, r.CanaryWeight, newMeter(k, r.Canary.Version))
		} else {
			rt.threshold = 0
		}
		t.routes[k] = rt
	}
	return t, nil
}

func cloneTable(t Table) Table {
	return Table{Routes: append([]Route(nil), t.Routes...)}
}

// lookup finds the route of a request: by host (APP.ENV.DOMAIN) first,
// then by path (/apps/APP/ENV/...). viaPath says which matched.
func (t *table) lookup(host, path, domain string) (rt *route, viaPath bool, ok bool) {
	if app, env, isApp := splitHost(host, domain); isApp {
		rt, ok = t.routes[routeKey{app, env}]
		return rt, false, ok
	}
	if app, env, isApp := splitPath(path); isApp {
		rt, ok = t.routes[routeKey{app, env}]
		return rt, true, ok
	}
	return nil, false, false
}

// splitHost reads APP.ENV.DOMAIN[:PORT]. Hosts are matched without regard
// to case, as DNS does.
func splitHost(host, domain string) (app, env string, ok bool) {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	rest, found := strings.CutSuffix(host, "."+domain)
	if !found {
		return "", "", false
	}
	app, env, found = strings.Cut(rest, ".")
	if !found || strings.IndexByte(env, '.') >= 0 {
		return "", "", false
	}
	return app, env, true
}

// splitPath reads /apps/APP/ENV or /apps/APP/ENV/...
func splitPath(path string) (app, env string, ok bool) {
	rest, found := strings.CutPrefix(path, "/apps/")
	if !found {
		return "", "", false
	}
	app, rest, found = strings.Cut(rest, "/")
	if !found {
		return "", "", false
	}
	env, _, _ = strings.Cut(rest, "/")
	return app, env, app != "" && env != ""
}
