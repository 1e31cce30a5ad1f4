package connector

import (
	"context"
	"strings"
	"sync"
)

// stub is the Outbound of examples: it records every call and answers
// what the example says for the step, and never touches the network.
type stub struct {
	replies map[string]exampleReply
	mu      sync.Mutex
	calls   []*Call
}

// Do implements Outbound.
func (s *stub) Do(_ context.Context, c *Call) (*Reply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	r, ok := s.replies[c.Step]
	switch {
	case c.Method == "QUERY":
		return &Reply{Rows: r.Rows, Count: int64(len(r.Rows))}, nil
	case c.Method == "SEND":
		return &Reply{Status: 250}, nil
	case !ok:
		return &Reply{Status: 200, Body: []byte(`{"ok": true}`)}, nil
	}
	status := r.Status
	if status == 0 {
		status = 200
	}
	body, _ := r.body()
	return &Reply{Status: status, Body: body}, nil
}

// Close implements Outbound.
func (s *stub) Close() error { return nil }

// fakeSecrets stand in for the secrets in examples: an address on the
// integration's host where the actions read one, a token otherwise. They
// are not secret, and examples never need the real ones.
func fakeSecrets(c *Connector) map[string]string {
	out := map[string]string{}
	for _, in := range c.used {
		if in.Secret != "" {
			out[in.Secret] = "test-token-for-" + strings.ToLower(in.Name)
		}
	}
	walk(c.steps, func(st *step) {
		in := st.integration
		if st.action == nil || in.Secret == "" {
			return
		}
		host := in.Host
		if suffix, ok := strings.CutPrefix(host, "*."); ok {
			host = "test." + suffix
		}
		scheme := "https"
		if isAddress(host) {
			scheme = "http"
		}
		switch {
		case st.action == postgresQuery:
			out[in.Secret] = "postgres://connector:test-password@" + host + "/app"
		case st.action == emailSend:
			out[in.Secret] = "smtp://connector:test-password@" + host + ":587"
		case st.action == teamsPostCard, st.action == slackPostMessage && st.args["channel"] == nil:
			out[in.Secret] = scheme + "://" + host + "/" + in.Secret
		}
	})
	return out
}

// walk calls f for every step, inner steps included.
func walk(steps []*step, f func(*step)) {
	for _, st := range steps {
		f(st)
		walk(st.then, f)
		walk(st.els, f)
		walk(st.do, f)
		walk(st.fallback, f)
		for _, c := range st.cases {
			walk(c.steps, f)
		}
	}
}
