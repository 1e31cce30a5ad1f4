package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// Slack signs the requests it sends (button clicks, dialog submissions)
// with the app's signing secret: https://api.slack.com/authentication/verifying-requests-from-slack
const (
	slackSignatureHeader = "X-Slack-Signature"
	slackTimestampHeader = "X-Slack-Request-Timestamp"
	slackVersion         = "v0"
)

// MaxClockSkew is how far a signed request's timestamp may be from now,
// either way, for Slack's requests and for Runway's webhooks alike.
const MaxClockSkew = 300 * time.Second

// VerifySlack checks that a request comes from Slack: its
// X-Slack-Signature is v0=hex(HMAC-SHA256(signingSecret,
// "v0:"+timestamp+":"+body)) and its X-Slack-Request-Timestamp is within
// MaxClockSkew of now. It is a pure function; every failure is
// EUNAUTHORIZED with a message saying what was wrong. A valid request may
// still be a replay within the window: refuse a second request with the
// same ReplayKey.
func VerifySlack(h http.Header, body []byte, signingSecret string, now time.Time) error {
	if signingSecret == "" {
		return unauthorized("no Slack signing secret is configured: copy it from the Slack app's Basic Information page into Runway's configuration")
	}
	ts, sig := h.Get(slackTimestampHeader), h.Get(slackSignatureHeader)
	if err := checkTimestamp("Slack request", slackTimestampHeader, ts, now); err != nil {
		return err
	}
	if sig == "" {
		return unauthorized("the request has no " + slackSignatureHeader + " header: it did not come from Slack, or a proxy removed the header")
	}
	got, ok := strings.CutPrefix(sig, slackVersion+"=")
	if !ok {
		return unauthorized("the " + slackSignatureHeader + " header is not a v0 signature (v0=<hex>): Runway knows only Slack's v0 scheme")
	}
	if !equalHexMAC(got, slackMAC(signingSecret, ts, body)) {
		return unauthorized("the Slack signature does not match the request: check that Runway's signing secret is the one on the Slack app's Basic Information page (not the verification token or client secret), and that no proxy changes the body")
	}
	return nil
}

// slackMAC is the v0 HMAC of a request.
func slackMAC(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(slackVersion + ":" + ts + ":"))
	m.Write(body)
	return m.Sum(nil)
}

// equalHexMAC compares a hex-encoded MAC with want in constant time.
func equalHexMAC(gotHex string, want []byte) bool {
	got, err := hex.DecodeString(gotHex)
	return err == nil && hmac.Equal(got, want)
}

// checkTimestamp checks a header holding Unix seconds is present and
// within MaxClockSkew of now.
func checkTimestamp(what, header, ts string, now time.Time) error {
	if ts == "" {
		return unauthorized("the " + what + " has no " + header + " header: it was not signed, or a proxy removed the header")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 || strings.HasPrefix(ts, "+") {
		return unauthorized("the " + header + " header is not a Unix time in seconds")
	}
	skew := now.Unix() - sec
	limit := int64(MaxClockSkew / time.Second)
	switch {
	case skew > limit:
		return runway.Errorf(runway.EUNAUTHORIZED, "the %s was signed %d seconds ago, more than the %d allowed: it is a replay, or this server's clock is wrong (check NTP)", what, skew, limit)
	case skew < -limit:
		return runway.Errorf(runway.EUNAUTHORIZED, "the %s was signed %d seconds in the future, more than the %d allowed: this server's clock or the sender's is wrong (check NTP)", what, -skew, limit)
	}
	return nil
}

func unauthorized(msg string) error { return &runway.Error{Code: runway.EUNAUTHORIZED, Message: msg} }

// ReplayKey returns a key naming one signed Slack request: the sha256, in
// hex, of its timestamp and signature. Record it, for MaxClockSkew after
// the timestamp (see runway.NonceStore), and refuse a request whose key
// was seen: it is a replay.
func ReplayKey(h http.Header) string {
	sum := sha256.Sum256([]byte(h.Get(slackTimestampHeader) + "\n" + h.Get(slackSignatureHeader)))
	return hex.EncodeToString(sum[:])
}
