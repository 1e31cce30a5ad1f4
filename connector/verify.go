package connector

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// slackWindow is how old a Slack request may be: Slack's own advice.
const slackWindow = 5 * time.Minute

// unauthorized is a webhook request whose signature does not hold.
type unauthorized struct{ msg string }

func (u *unauthorized) Error() string { return u.msg }

// verifyRequest checks a webhook request's signature, the way its
// trigger says; a Slack request is also refused when it is older than 5
// minutes or was already seen.
func (e *Engine) verifyRequest(h http.Header, body []byte) error {
	v := e.c.Trigger.verify
	if v == nil {
		return nil
	}
	secret := []byte(e.secrets[v.integration])
	switch v.style {
	case "github":
		return checkHex(h.Get("X-Hub-Signature-256"), "sha256=", mac(secret, body), "X-Hub-Signature-256")
	case "hmac":
		return checkHex(h.Get(v.header), "sha256=", mac(secret, body), v.header)
	}
	ts := h.Get("X-Slack-Request-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return &unauthorized{"the request has no valid X-Slack-Request-Timestamp header: it did not come from Slack"}
	}
	now := e.o.Now()
	if age := now.Sub(time.Unix(sec, 0)); age > slackWindow || age < -slackWindow {
		return &unauthorized{"the request is more than 5 minutes old or from the future: it may be a replay, so it is refused"}
	}
	sig := h.Get("X-Slack-Signature")
	if err := checkHex(sig, "v0=", mac(secret, []byte("v0:"+ts+":"), body), "X-Slack-Signature"); err != nil {
		return err
	}
	if !e.seen.claim(sig, now) {
		return &unauthorized{"this request was already received: replays are refused"}
	}
	return nil
}

func mac(secret []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, secret)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// checkHex compares a hex signature (with an optional prefix) with want
// in constant time.
func checkHex(got, prefix string, want []byte, header string) error {
	if got == "" {
		return &unauthorized{"the request has no " + header + " header: it is not signed"}
	}
	sig, err := hex.DecodeString(strings.TrimPrefix(got, prefix))
	if err != nil || !hmac.Equal(sig, want) {
		return &unauthorized{"the " + header + " signature does not match: the request was not signed with the integration's secret, or it was changed on the way"}
	}
	return nil
}

// signatures remembers the Slack signatures seen in the last window.
type signatures struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func newSignatures() *signatures { return &signatures{seen: map[string]time.Time{}} }

// claim records sig and reports whether it is new.
func (s *signatures) claim(sig string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.seen {
		if now.Sub(t) > 2*slackWindow {
			delete(s.seen, k)
		}
	}
	if _, dup := s.seen[sig]; dup {
		return false
	}
	s.seen[sig] = now
	return true
}
