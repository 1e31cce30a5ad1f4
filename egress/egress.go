// Package egress is the platform's HTTP client for calls to addresses
// people configure (webhooks, chat, connector steps): it checks the
// resolved address at connect time, so DNS tricks cannot slip through, and
// refuses loopback, private, link-local (cloud metadata), CGNAT, ULA and
// other internal ranges unless allowed; redirects are re-checked the same
// way. Refusals are permanent *runway.Error values (EINVALID) that say how
// to allow a host.
//
// egress imports only the root package.
package egress

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/runwayhq/runway"
)

// Options configures the HTTP client of NewClient.
type Options struct {
	// AllowPrivate lets the client reach any address, private or not. Use
	// it only where every receiver is trusted, such as in tests.
	AllowPrivate bool
	// AllowHosts lists host names ("hooks.internal.example"), addresses
	// ("10.1.2.3") and CIDR prefixes ("10.20.0.0/16") the client may reach
	// even when they are private: the allow_private_hosts setting. A host
	// name is trusted whatever it resolves to, so prefer prefixes.
	AllowHosts []string
	// Timeout bounds a whole request, redirects included (default 10 s).
	Timeout time.Duration
}

// DefaultTimeout bounds a request when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// maxRedirects is how many redirects a request may follow.
const maxRedirects = 3

// Check reports an AllowHosts entry that is neither a host name, an
// address nor a CIDR prefix, as EINVALID. NewClient ignores such entries;
// configuration should call Check first.
func (o Options) Check() error {
	for _, h := range o.AllowHosts {
		if strings.Contains(h, "/") {
			if _, err := netip.ParsePrefix(h); err != nil {
				return runway.Errorf(runway.EINVALID, "allow_private_hosts: %q is not a valid CIDR prefix: write it like 10.20.0.0/16 or fd00::/8", h)
			}
			continue
		}
		if strings.TrimSpace(h) == "" || (strings.ContainsAny(h, " :@") && !isAddr(h)) {
			return runway.Errorf(runway.EINVALID, "allow_private_hosts: %q is not a host name, an address or a CIDR prefix", h)
		}
	}
	return nil
}

func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// NewClient returns an HTTP client for sending notices that refuses to
// connect to loopback, private (RFC 1918, RFC 4193), link-local (including
// the cloud metadata service at 169.254.169.254), shared (100.64.0.0/10),
// unspecified, multicast and reserved addresses, in IPv4, IPv6 and
// IPv4-mapped IPv6 forms, unless o allows them.
//
// The check runs on the address actually dialled, after DNS resolution,
// so a name that resolves to a public address when checked and to a
// private one when used (DNS rebinding) is still refused. Every redirect is
// dialled the same way; at most 3 are followed, and only to http or https
// URLs. The client ignores proxy environment variables, since a proxy
// would dial the address in Runway's place. A refused connection is a
// *runway.Error with code EINVALID naming the host, the address and how
// to allow it.
func NewClient(o Options) *http.Client {
	g := newGuard(o)
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = g.dialContext(timeout)
	t.MaxResponseHeaderBytes = 64 << 10
	return &http.Client{Transport: t, Timeout: timeout, CheckRedirect: checkRedirect}
}

// checkRedirect allows at most maxRedirects redirects, to http or https.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return runway.Errorf(runway.EINVALID, "the receiver redirected more than %d times: give the final address instead", maxRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return runway.Errorf(runway.EINVALID, "the receiver redirected to a %q address: only http and https are followed", req.URL.Scheme)
	}
	return nil
}

// guard decides which addresses the client may connect to.
type guard struct {
	allowPrivate bool
	hosts        map[string]bool
	prefixes     []netip.Prefix
}

func newGuard(o Options) *guard {
	g := &guard{allowPrivate: o.AllowPrivate, hosts: map[string]bool{}}
	for _, h := range o.AllowHosts {
		h = strings.TrimSpace(h)
		if p, err := netip.ParsePrefix(h); err == nil {
			g.prefixes = append(g.prefixes, p.Masked())
		} else if a, err := netip.ParseAddr(h); err == nil {
			g.prefixes = append(g.prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else if h != "" {
			g.hosts[normalHost(h)] = true
		}
	}
	return g
}

func normalHost(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// dialContext dials with a Control hook that knows the host name asked
// for, to allow it by name and to name it in the refusal.
func (g *guard) dialContext(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control(host)}
		return d.DialContext(ctx, network, addr)
	}
}

// control returns the net.Dialer.Control hook for connections to host: it
// sees the resolved address just before the connection is made.
func (g *guard) control(host string) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return runway.Errorf(runway.EINVALID, "refused to connect to %s: cannot read the address %q", host, address)
		}
		return g.check(host, ap.Addr())
	}
}

// check returns nil when addr may be reached for host, and otherwise a
// refusal saying how to allow it.
func (g *guard) check(host string, addr netip.Addr) error {
	addr = addr.Unmap().WithZone("")
	why := blocked(addr)
	if why == "" || g.allowPrivate || g.hosts[normalHost(host)] {
		return nil
	}
	for _, p := range g.prefixes {
		if p.Contains(addr) {
			return nil
		}
	}
	where := host
	if h := strings.Trim(host, "[]"); h != addr.String() {
		where = fmt.Sprintf("%s (%s)", host, addr)
	}
	return runway.Errorf(runway.EINVALID,
		"refused to connect to %s: it is %s, which notifications may not reach unless allowed; if this receiver is yours, add %q (or its address range) to allow_private_hosts",
		where, why, host)
}

// special lists the ranges that netip's predicates do not cover.
var special = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "a \"this network\" address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved protocol address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
}

// nat64 is the well-known NAT64 prefix: its addresses embed an IPv4 one.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// blocked says in words why addr is not public, or "" when it is.
func blocked(addr netip.Addr) string {
	switch {
	case !addr.IsValid():
		return "not a valid address"
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsPrivate():
		return "a private network address"
	case addr == netip.AddrFrom4([4]byte{169, 254, 169, 254}):
		return "the cloud metadata service"
	case addr.IsLinkLocalUnicast():
		return "a link-local address"
	case addr.IsUnspecified():
		return "an unspecified address"
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	for _, s := range special {
		if s.prefix.Contains(addr) {
			return s.why
		}
	}
	if nat64.Contains(addr) {
		b := addr.As16()
		if why := blocked(netip.AddrFrom4([4]byte(b[12:]))); why != "" {
			return why + " behind NAT64"
		}
	}
	return ""
}
