package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/egress"
)

// maxReply bounds what is read of an answer.
const maxReply = 1 << 20

// netOutbound makes calls over the network: HTTP through the egress client
// (the resolved address is checked at connect time, private ranges refused
// unless an integration declares the address itself), and PostgreSQL and
// SMTP connections through the same checked dialer.
type netOutbound struct {
	c      *Connector
	client *http.Client
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)

	mu    sync.Mutex
	pools map[string]*pgxpool.Pool
}

func newNetOutbound(c *Connector) *netOutbound {
	var addrs []string
	for _, in := range c.integrations {
		if isAddress(in.Host) {
			addrs = append(addrs, in.Host)
		}
	}
	client := egress.NewClient(egress.Options{AllowHosts: addrs, Timeout: maxTimeout})
	// egress's transport dials through its address check: the database and
	// mail connections use the same dialer.
	dial := client.Transport.(*http.Transport).DialContext
	client.Transport = &declaredOnly{c: c, next: client.Transport}
	return &netOutbound{c: c, client: client, dial: dial, pools: map[string]*pgxpool.Pool{}}
}

// declaredOnly refuses requests (redirects included) to hosts runway.yaml
// does not declare, and plain http to named hosts.
type declaredOnly struct {
	c    *Connector
	next http.RoundTripper
}

func (d *declaredOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	declared := false
	for _, in := range d.c.integrations {
		declared = declared || hostMatches(in.Host, host)
	}
	switch {
	case !declared:
		return nil, refusef("refused to follow the call to %s: runway.yaml declares no integration for this host", host)
	case req.URL.Scheme != "https" && !isAddress(host):
		return nil, refusef("refused to call %s over plain http: use https", host)
	}
	return d.next.RoundTrip(req)
}

// Do implements Outbound.
func (o *netOutbound) Do(ctx context.Context, c *Call) (*Reply, error) {
	switch c.Method {
	case "QUERY":
		return o.query(ctx, c)
	case "SEND":
		return o.send(ctx, c)
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, c.URL.String(), bytes.NewReader(c.raw))
	if err != nil {
		return nil, err
	}
	if c.Header != nil {
		req.Header = c.Header.Clone()
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return nil, netError(c.URL.Hostname(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return nil, &transient{err: fmt.Errorf("the answer of %s could not be read: %v", c.URL.Hostname(), err)}
	}
	return &Reply{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// netError explains a failed connection: a refusal (never retried), a
// connection that could not be made (safe to retry), or a failure after
// the request may have been sent.
func netError(host string, err error) error {
	var r *refusal
	var re *runway.Error
	var op *net.OpError
	switch {
	case errors.As(err, &r):
		return r
	case errors.As(err, &re) && re.Code == runway.EINVALID:
		return refusef("refused to connect to %s: its address is private, loopback or internal, and connectors reach such addresses only when runway.yaml declares the address itself as an integration's host (such as `host: 10.1.2.3`)", host)
	case errors.As(err, &op) && op.Op == "dial":
		return &transient{err: fmt.Errorf("could not connect to %s: %v", host, op.Err), sure: true}
	}
	if inner := errors.Unwrap(err); inner != nil {
		err = inner // a *url.Error repeats the URL, which may be a secret
	}
	return &transient{err: fmt.Errorf("the call to %s failed: %v", host, err)}
}

// Close implements Outbound.
func (o *netOutbound) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range o.pools {
		p.Close()
	}
	o.pools = map[string]*pgxpool.Pool{}
	o.client.CloseIdleConnections()
	return nil
}
