package notify

import (
	"context"
	"errors"
	"github.com/runwayhq/runway/egress"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestErrorsHoldNoSecret provokes every kind of failure and checks that no
// error, nor any error it wraps, holds a secret: the bot token, the
// signing secret, the webhook secret or a webhook URL (or its path or
// query).
func TestErrorsHoldNoSecret(t *testing.T) {
	t.Parallel()
	const (
		hookPath  = "/services/T0ACME/B0HOOK/SECRETwebhookpath"
		hookQuery = "sig=SECRETquerysig"
	)
	var status atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/redirect":
			http.Redirect(w, r, r.URL.String(), http.StatusFound)
		case status.Load() == http.StatusOK:
			// A legacy Teams connector echoing what it got.
			_, _ = io.WriteString(w, "Webhook message delivery failed for "+r.URL.String())
		default:
			w.WriteHeader(int(status.Load()))
		}
	}))
	t.Cleanup(srv.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	hook := srv.URL + hookPath + "?" + hookQuery
	deadHook := closed.URL + hookPath + "?" + hookQuery
	secrets := []string{testBotToken, testSigningSecret, testWebhookSecret, hook, deadHook, hookPath, hookQuery, "SECRET"}

	ctx := context.Background()
	lc := loopbackClient()
	f := newFakeSlack(t)
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	send := func(ch Channel) { add(ch.Send(ctx, sampleNotice())) }
	channels := func(u string, c *http.Client) []Channel {
		return []Channel{
			&Slack{WebhookURL: u, HTTP: c},
			&Teams{WebhookURL: u, HTTP: c},
			&Webhook{Label: "audit", URL: u, Secret: testWebhookSecret, HTTP: c},
		}
	}
	for _, code := range []int{http.StatusOK, 400, 403, 404, 429, 500} {
		status.Store(int32(code))
		for _, ch := range channels(hook, lc) {
			send(ch)
		}
	}
	for _, ch := range channels(deadHook, lc) { // connection refused
		send(ch)
	}
	for _, ch := range channels(hook, nil) { // private address refused
		send(ch)
	}
	for _, ch := range channels(srv.URL+"/redirect?"+hookQuery, lc) { // too many redirects
		send(ch)
	}
	for _, ch := range channels("hooks slack com/"+hookQuery+"/"+testWebhookSecret, lc) { // not a URL
		send(ch)
	}
	slow := egress.NewClient(egress.Options{AllowPrivate: true, Timeout: time.Nanosecond})
	for _, ch := range channels(hook, slow) {
		send(ch)
	}

	bot := f.slack()
	bad := *bot
	bad.BotToken = testBotToken + "x"
	send(&bad)
	add(bad.OpenRejectDialog(ctx, "trigger", 42))
	dead := *bot
	dead.APIURL = closed.URL + "/api/"
	send(&dead)
	_, err := dead.UserEmail(ctx, "U0ADA")
	add(err)
	add(bot.Respond(ctx, "https://evil.example"+hookPath+"?"+hookQuery, "x"))
	add(bot.Respond(ctx, closed.URL+hookPath+"?"+hookQuery, "x"))
	add((&Slack{BotToken: testBotToken, Interactive: true}).Send(ctx, sampleNotice()))

	body := []byte("payload=x")
	h := slackHeaders(testSigningSecret, time.Now().Unix(), "other")
	add(VerifySlack(h, body, testSigningSecret, time.Now()))
	add(VerifySlack(h, body, testSigningSecret, time.Now().Add(time.Hour)))
	h.Set("X-Slack-Signature", "v0="+testSigningSecret)
	add(VerifySlack(h, body, testSigningSecret, time.Now()))
	wh := http.Header{}
	wh.Set("X-Runway-Timestamp", "1")
	wh.Set("X-Runway-Signature", SignWebhook(testWebhookSecret, 1, []byte("other")))
	add(VerifyWebhook(wh, body, testWebhookSecret, time.Unix(1, 0)))
	add(VerifyWebhook(wh, body, testWebhookSecret, time.Now()))

	if len(errs) < 40 {
		t.Fatalf("only %d errors provoked", len(errs))
	}
	for _, err := range errs {
		for e := err; e != nil; e = errors.Unwrap(e) {
			for _, s := range secrets {
				if strings.Contains(e.Error(), s) {
					t.Errorf("error %q holds the secret %q", e, s)
				}
			}
		}
	}
}
