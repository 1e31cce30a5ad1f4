package proxy

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzRequest feeds the parsers of what clients send (the host, the path,
// the Cookie header) with anything: they never panic, a route is only
// found where the host or path really names it, and no platform cookie
// survives while every cookie of the app's does, in order.
func FuzzRequest(f *testing.F) {
	f.Add("shop.prod.localhost:8080", "/apps/shop/prod/x", "runway_session=a; theme=dark")
	f.Add("SHOP.PROD.LOCALHOST.", "/apps//prod/", "a=1;runway_sticky=2;;b")
	f.Add("[::1]:80", "/apps/shop", "runway_=; runway_session")
	f.Add("a.b.c.localhost", "/apps/a/b", " runway_session = x ; y=\"q\"")
	f.Fuzz(func(t *testing.T, host, path, cookie string) {
		if app, env, ok := splitHost(host, "localhost"); ok {
			h := strings.ToLower(host)
			if !strings.Contains(h, app+"."+env+".localhost") || strings.Contains(app, ".") || strings.Contains(env, ".") {
				t.Errorf("splitHost(%q) = %q, %q", host, app, env)
			}
		}
		if app, env, ok := splitPath(path); ok {
			if !strings.HasPrefix(path, "/apps/"+app+"/"+env) || app == "" || env == "" || strings.Contains(app+env, "/") {
				t.Errorf("splitPath(%q) = %q, %q", path, app, env)
			}
		}
		h := http.Header{"Cookie": {cookie}}
		stripPlatformCookies(h)
		var want []string
		for part := range strings.SplitSeq(cookie, ";") {
			part = strings.TrimSpace(part)
			name, _, _ := strings.Cut(part, "=")
			if part != "" && !strings.HasPrefix(strings.TrimSpace(name), platformCookiePrefix) {
				want = append(want, part)
			}
		}
		got := strings.Join(h["Cookie"], "; ")
		if !strings.Contains(cookie, platformCookiePrefix) {
			if got != cookie {
				t.Errorf("a Cookie header without platform cookies changed: %q → %q", cookie, got)
			}
			return
		}
		if got != strings.Join(want, "; ") {
			t.Errorf("stripPlatformCookies(%q) = %q, want %q", cookie, got, strings.Join(want, "; "))
		}
	})
}
