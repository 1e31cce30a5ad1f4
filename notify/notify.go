// Package notify delivers notices (runway.Notice) to the places people
// read them: Slack, Microsoft Teams and generic webhooks. It also checks
// the requests Slack sends back when someone clicks a button in a
// message, and turns them into Runway actions.
//
// Every Channel sends over an HTTP client that refuses private and
// internal addresses unless allowed (see egress.NewClient), so that a webhook URL
// cannot be used to reach the platform's own network. Send errors say
// whether retrying can help: a *runway.Error with code EINVALID means the
// configuration or the receiver refused the message and a retry would fail
// the same way; any other error is transient.
//
// Error messages never hold a secret: not the Slack bot token or signing
// secret, not a webhook secret, and not a Slack or Teams webhook URL,
// whose path is itself a credential.
//
// Of Runway's packages, notify imports only the root runway package; it
// uses github.com/slack-go/slack for Block Kit and Slack's Web API.
package notify

import (
	"context"
	"net/http"
	"net/url"
	"sync"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/egress"
)

// Channel delivers notices to one place.
type Channel interface {
	// Name says where notices go: "slack", "teams" or "webhook:LABEL".
	Name() string
	// Send delivers one notice. It returns EINVALID when retrying cannot
	// help (bad configuration, the receiver refused the message, a private
	// address not allowed); any other error is transient.
	Send(ctx context.Context, n runway.Notice) error
}

// Interface checks.
var (
	_ Channel = (*Slack)(nil)
	_ Channel = (*Teams)(nil)
	_ Channel = (*Webhook)(nil)
)

// defaultClient is shared by channels without an HTTP client of their
// own, so that they share connections.
var defaultClient = sync.OnceValue(func() *http.Client { return egress.NewClient(egress.Options{}) })

// client returns c, or the default SSRF-safe client when c is nil.
func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return defaultClient()
}

// webURL parses an absolute http or https URL. It reports only whether the
// URL is fine, never why, so that callers cannot echo a secret URL into an
// error message.
func webURL(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, false
	}
	return u, true
}
