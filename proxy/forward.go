package proxy

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"github.com/runwayhq/runway"
)

// statusClientClosed is what a request counts as when its client went
// away before the backend answered (nginx's 499): neither a 5xx nor a
// proxy error, since no version is to blame.
const statusClientClosed = 499

// newBackend builds the forwarding to one version: a ReverseProxy for host
// routing and one for path routing (which strips /apps/APP/ENV), both on
// the proxy's shared Transport.
func (p *Proxy) newBackend(rt *route, src Backend, canary bool, weight float64, m *meter) *backend {
	target, _ := url.Parse(src.URL) // validated
	b := &backend{version: src.Version, canary: canary, target: target, meter: m, weight: weight}
	b.host = p.reverseProxy(rt, b, "")
	b.path = p.reverseProxy(rt, b, rt.prefix)
	return b
}

func (p *Proxy) reverseProxy(rt *route, b *backend, prefix string) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:        func(pr *httputil.ProxyRequest) { p.rewrite(pr, b.target, prefix) },
		Transport:      p.transport,
		BufferPool:     &p.buffers,
		ModifyResponse: dropPlatformSetCookies,
		ErrorHandler:   func(w http.ResponseWriter, r *http.Request, err error) { p.proxyError(w, r, err, rt, b) },
		ErrorLog:       p.errLog,
	}
}

// rewrite prepares the request a backend receives. ReverseProxy has
// already dropped the hop-by-hop headers and the client's X-Forwarded-*.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest, target *url.URL, prefix string) {
	in, out := pr.In, pr.Out
	if prefix != "" {
		out.URL.Path = strings.TrimPrefix(in.URL.Path, prefix)
		out.URL.RawPath = ""
		if raw, ok := strings.CutPrefix(in.URL.RawPath, prefix); ok {
			out.URL.RawPath = raw
		}
	}
	pr.SetURL(target)
	h := out.Header
	if p.trust {
		h["X-Forwarded-For"] = in.Header["X-Forwarded-For"]
	}
	pr.SetXForwarded()
	inPrefix := ""
	if p.trust {
		for _, k := range []string{"X-Forwarded-Host", "X-Forwarded-Proto"} {
			if v := in.Header.Get(k); v != "" {
				h.Set(k, v)
			}
		}
		inPrefix = strings.TrimSuffix(in.Header.Get("X-Forwarded-Prefix"), "/")
	}
	h.Del("X-Forwarded-Prefix")
	if prefix != "" || inPrefix != "" {
		h.Set("X-Forwarded-Prefix", inPrefix+prefix)
	}
	stripPlatformCookies(h)
	if platformCredentials(h.Get("Authorization")) {
		h.Del("Authorization")
	}
}

// stripPlatformCookies removes the platform's cookies (runway_*) from the
// Cookie headers, keeping the app's own.
func stripPlatformCookies(h http.Header) {
	lines := h["Cookie"]
	if lines == nil {
		return
	}
	kept := lines[:0]
	for _, line := range lines {
		if !strings.Contains(line, platformCookiePrefix) {
			kept = append(kept, line)
			continue
		}
		var b strings.Builder
		for part := range strings.SplitSeq(line, ";") {
			part = strings.TrimSpace(part)
			name, _, _ := strings.Cut(part, "=")
			if part == "" || strings.HasPrefix(strings.TrimSpace(name), platformCookiePrefix) {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(part)
		}
		if b.Len() > 0 {
			kept = append(kept, b.String())
		}
	}
	if len(kept) == 0 {
		delete(h, "Cookie")
		return
	}
	h["Cookie"] = kept
}

// platformCredentials reports whether an Authorization value carries a
// Runway API token (Bearer, or inside Basic credentials): the platform's
// credentials are not the app's to see.
func platformCredentials(v string) bool {
	if v == "" {
		return false
	}
	scheme, cred, _ := strings.Cut(strings.TrimSpace(v), " ")
	cred = strings.TrimSpace(cred)
	if strings.EqualFold(scheme, "Basic") {
		if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
			cred = string(dec)
		}
	}
	return strings.Contains(cred, runway.TokenPrefix)
}

// dropPlatformSetCookies keeps an app from setting (or clearing) one of
// the platform's cookies, its session among them.
func dropPlatformSetCookies(res *http.Response) error {
	lines := res.Header["Set-Cookie"]
	if lines == nil {
		return nil
	}
	kept := lines[:0]
	for _, line := range lines {
		name, _, _ := strings.Cut(line, "=")
		if !strings.HasPrefix(strings.TrimSpace(name), platformCookiePrefix) {
			kept = append(kept, line)
		}
	}
	if len(kept) == 0 {
		delete(res.Header, "Set-Cookie")
	} else {
		res.Header["Set-Cookie"] = kept
	}
	return nil
}

// proxyError answers for a backend that could not be reached or did not
// answer in time: 502 or 504 with a plain page, counted as a proxy error
// of the version. A client that went away is only noted (499).
func (p *Proxy) proxyError(w http.ResponseWriter, r *http.Request, err error, rt *route, b *backend) {
	rec, _ := w.(*recorder)
	if errors.Is(err, context.Canceled) && r.Context().Err() == context.Canceled {
		if rec != nil {
			rec.status = statusClientClosed
		}
		return
	}
	if rec != nil {
		rec.failed = true
	}
	status, what := http.StatusBadGateway, "is not answering"
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		status, what = http.StatusGatewayTimeout, "took too long to answer"
	}
	p.log.Warn("proxy error", "app", rt.app, "env", rt.env, "version", b.version, "canary", b.canary,
		"method", r.Method, "status", status, "err", err)
	plainPage(w, status, fmt.Sprintf("The app %s (%s, version %s) %s. It may be starting or stopped: try again in a moment, and tell its owners if this lasts.\n",
		rt.app, rt.env, b.version, what))
}

// bufferPool lends ReverseProxy its 32 KiB copy buffers.
type bufferPool struct{ pool sync.Pool }

const bufferSize = 32 << 10

func (bp *bufferPool) Get() []byte {
	if v, ok := bp.pool.Get().(*[bufferSize]byte); ok {
		return v[:]
	}
	return make([]byte, bufferSize)
}

func (bp *bufferPool) Put(b []byte) {
	if cap(b) >= bufferSize {
		bp.pool.Put((*[bufferSize]byte)(b[:bufferSize]))
	}
}
