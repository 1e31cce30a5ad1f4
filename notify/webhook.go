package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// Headers of Runway's webhook requests.
const (
	HeaderEvent     = "X-Runway-Event"     // the notice kind, such as approval.needed
	HeaderDelivery  = "X-Runway-Delivery"  // the delivery ID, the same on every retry
	HeaderTimestamp = "X-Runway-Timestamp" // Unix seconds when the request was signed
	HeaderSignature = "X-Runway-Signature" // sha256=<hex>, see SignWebhook
)

// Webhook posts notices as signed JSON to a URL of the user's choice:
//
//	POST URL
//	Content-Type: application/json
//	X-Runway-Event: approval.needed
//	X-Runway-Delivery: 3f1c...
//	X-Runway-Timestamp: 1767225600
//	X-Runway-Signature: sha256=9a0b...
//
//	{"id": "3f1c...", "notice": {...}}
//
// Receivers check the request with VerifyWebhook, or by recomputing
// SignWebhook, and drop a delivery ID they have already handled: a
// delivery is retried until the receiver answers 2xx.
type Webhook struct {
	// Label is the webhook's name in configuration; the channel is
	// named "webhook:LABEL". (A field called Name would clash with the
	// Name method of Channel.)
	Label string
	URL   string
	// Secret signs every request; it is required.
	Secret string
	// HTTP is the client (default: egress.NewClient with default options).
	HTTP *http.Client
	// Now gives the signing time (default time.Now).
	Now func() time.Time
}

// Name returns "webhook:LABEL".
func (w *Webhook) Name() string { return "webhook:" + w.Label }

// webhookBody is what a webhook receives.
type webhookBody struct {
	ID     string        `json:"id"`
	Notice runway.Notice `json:"notice"`
}

// Send posts n, signed. It returns EINVALID when the receiver refused it
// (a 4xx other than 408 and 429) or the configuration is wrong, any other
// error when a retry may succeed.
func (w *Webhook) Send(ctx context.Context, n runway.Notice) error {
	dest := "webhook " + strconv.Quote(w.Label)
	u, ok := webURL(w.URL)
	switch {
	case strings.TrimSpace(w.Label) == "":
		return permanent("a webhook has no name: give each webhook a name")
	case !ok:
		return permanent("%s has no valid URL: give an http(s) URL", dest)
	case w.Secret == "":
		return permanent("%s has no secret: set one, so the receiver can check that requests come from Runway", dest)
	}
	dest += " (" + u.Hostname() + ")"
	id := DeliveryID(w.Name(), n)
	body, err := json.Marshal(webhookBody{ID: id, Notice: n})
	if err != nil {
		return permanent("encode the notice for %s: %v", dest, err)
	}
	ts := w.now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return sendError(dest, err, w.secrets()...)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Runway-Webhook/1")
	req.Header.Set(HeaderEvent, string(n.Kind))
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, SignWebhook(w.Secret, ts, body))
	resp, err := client(w.HTTP).Do(req)
	if err != nil {
		return sendError(dest, err, w.secrets()...)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return statusError(dest, resp.StatusCode)
	}
	return nil
}

func (w *Webhook) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Webhook) secrets() []string { return append(urlSecrets(w.URL), w.Secret) }

// DeliveryID names one delivery of n to a channel (its Name): the first
// 128 bits, in hex, of the sha256 of the channel name and the notice's
// JSON. It is computed rather than drawn at random so that every retry of
// a delivery carries the same ID, with no state to keep: a notice is
// retried as the same value, At included, and two notices differ at least
// by their At.
func DeliveryID(channel string, n runway.Notice) string {
	data, _ := json.Marshal(n) // a Notice always encodes
	h := sha256.New()
	h.Write([]byte(channel))
	h.Write([]byte{0})
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// SignWebhook returns the X-Runway-Signature of a webhook request:
// "sha256=" followed by the hex HMAC-SHA256, keyed with the webhook's
// secret, of the X-Runway-Timestamp value, a dot and the body exactly as
// received. For example, in a shell:
//
//	printf '%s.%s' "$TIMESTAMP" "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
func SignWebhook(secret string, ts int64, body []byte) string {
	return "sha256=" + hex.EncodeToString(webhookMAC(secret, strconv.FormatInt(ts, 10), body))
}

func webhookMAC(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks a Runway webhook request, for receivers written in
// Go: its X-Runway-Signature matches SignWebhook and its
// X-Runway-Timestamp is within MaxClockSkew of now. Every failure is
// EUNAUTHORIZED. Receivers should also drop a X-Runway-Delivery they have
// already handled.
func VerifyWebhook(h http.Header, body []byte, secret string, now time.Time) error {
	if secret == "" {
		return unauthorized("no webhook secret is configured: set the secret Runway signs this webhook with")
	}
	ts := h.Get(HeaderTimestamp)
	if err := checkTimestamp("Runway webhook request", HeaderTimestamp, ts, now); err != nil {
		return err
	}
	sig := h.Get(HeaderSignature)
	if sig == "" {
		return unauthorized("the request has no " + HeaderSignature + " header: it did not come from Runway, or a proxy removed the header")
	}
	got, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return unauthorized("the " + HeaderSignature + " header is not a sha256=<hex> signature")
	}
	if !equalHexMAC(got, webhookMAC(secret, ts, body)) {
		return unauthorized("the webhook signature does not match the request: check that the secret is the one configured in Runway for this webhook, and that nothing changes the body on the way")
	}
	return nil
}
