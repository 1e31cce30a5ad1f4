package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

const testSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// slackHeaders signs body the way Slack does, at ts.
func slackHeaders(secret string, ts int64, body string) http.Header {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":" + body))
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
	return h
}

func TestVerifySlack(t *testing.T) {
	t.Parallel()
	now := time.Unix(1767225600, 0)
	body := string(form(`{"type":"block_actions"}`))
	signed := func(ts int64) http.Header { return slackHeaders(testSigningSecret, ts, body) }
	without := func(key string) http.Header {
		h := signed(now.Unix())
		h.Del(key)
		return h
	}
	with := func(key, value string) http.Header {
		h := signed(now.Unix())
		h.Set(key, value)
		return h
	}
	tests := []struct {
		name   string
		h      http.Header
		body   string
		secret string
		want   string // part of the error; "" for none
	}{
		{"valid", signed(now.Unix()), body, testSigningSecret, ""},
		{"valid, 300 s old", signed(now.Unix() - 300), body, testSigningSecret, ""},
		{"valid, 300 s ahead", signed(now.Unix() + 300), body, testSigningSecret, ""},
		{"tampered body", signed(now.Unix()), body + "x", testSigningSecret, "does not match"},
		{"wrong secret", signed(now.Unix()), body, "another-signing-secret", "does not match"},
		{"wrong signature", with("X-Slack-Signature", "v0="+strings.Repeat("ab", 32)), body, testSigningSecret, "does not match"},
		{"signature not hex", with("X-Slack-Signature", "v0=zz"), body, testSigningSecret, "does not match"},
		{"other scheme", with("X-Slack-Signature", "v1="+strings.Repeat("ab", 32)), body, testSigningSecret, "not a v0 signature"},
		{"301 s old", signed(now.Unix() - 301), body, testSigningSecret, "301 seconds ago"},
		{"301 s ahead", signed(now.Unix() + 301), body, testSigningSecret, "301 seconds in the future"},
		{"no timestamp", without("X-Slack-Request-Timestamp"), body, testSigningSecret, "no X-Slack-Request-Timestamp header"},
		{"no signature", without("X-Slack-Signature"), body, testSigningSecret, "no X-Slack-Signature header"},
		{"timestamp not a number", with("X-Slack-Request-Timestamp", "yesterday"), body, testSigningSecret, "not a Unix time"},
		{"timestamp signed", with("X-Slack-Request-Timestamp", "+"+strconv.FormatInt(now.Unix(), 10)), body, testSigningSecret, "not a Unix time"},
		{"no secret configured", signed(now.Unix()), body, "", "no Slack signing secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySlack(tt.h, []byte(tt.body), tt.secret, now)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if runway.ErrorCode(err) != runway.EUNAUTHORIZED || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want EUNAUTHORIZED saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testSigningSecret) {
				t.Errorf("err = %v holds the signing secret", err)
			}
		})
	}
}

func TestReplayKey(t *testing.T) {
	t.Parallel()
	a := slackHeaders(testSigningSecret, 1767225600, "a")
	if ReplayKey(a) != ReplayKey(a.Clone()) {
		t.Error("ReplayKey differs for the same request")
	}
	if ReplayKey(a) == ReplayKey(slackHeaders(testSigningSecret, 1767225600, "b")) {
		t.Error("ReplayKey is the same for different requests")
	}
	if ReplayKey(a) == ReplayKey(slackHeaders(testSigningSecret, 1767225601, "a")) {
		t.Error("ReplayKey is the same at different times")
	}
	if k := ReplayKey(a); len(k) != 64 {
		t.Errorf("ReplayKey = %q, want 64 hex digits", k)
	}
}
