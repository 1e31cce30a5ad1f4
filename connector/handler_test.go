package connector

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const webhookConnector = `
trigger:
  webhook:
    path: /hook
    verify: {style: %s, integration: sender%s}
steps:
  - id: done
    respond: {body: {got: "${{ request.body.event }}"}}
`

// TestWebhookSignatures: only requests signed with the integration's
// secret start a run; a Slack request is also refused when stale or
// replayed.
func TestWebhookSignatures(t *testing.T) {
	t.Parallel()
	const secret = "webhook-signing-secret"
	now := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	body := `{"event": "push"}`
	slackHeaders := func(ts time.Time) map[string]string {
		s := strconv.FormatInt(ts.Unix(), 10)
		return map[string]string{"X-Slack-Request-Timestamp": s, "X-Slack-Signature": "v0=" + hexMAC(secret, "v0:"+s+":"+body)}
	}
	tests := []struct {
		name, style, header string
		headers             []map[string]string // requests in order
		want                []int
	}{
		{"github", "github", "", []map[string]string{
			{"X-Hub-Signature-256": "sha256=" + hexMAC(secret, body)},
			{"X-Hub-Signature-256": "sha256=" + hexMAC("another-secret", body)},
			{},
		}, []int{200, 401, 401}},
		{"hmac", "hmac", ", header: X-Signature", []map[string]string{
			{"X-Signature": hexMAC(secret, body)},
			{"X-Signature": "not-hex"},
		}, []int{200, 401}},
		{"slack", "slack", "", []map[string]string{
			slackHeaders(now),
			slackHeaders(now), // replayed
			slackHeaders(now.Add(-10 * time.Minute)),
		}, []int{200, 401, 401}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustParse(t, sprintf(webhookConnector, tt.style, tt.header), app(integration("sender", "example.com", "SENDER_SECRET")))
			e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"SENDER_SECRET": secret}), Now: func() time.Time { return now }}))
			if err != nil {
				t.Fatal(err)
			}
			for i, h := range tt.headers {
				req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				for k, v := range h {
					req.Header.Set(k, v)
				}
				w := httptest.NewRecorder()
				e.Handler().ServeHTTP(w, req)
				if w.Code != tt.want[i] {
					t.Errorf("request %d: %d %s, want %d", i+1, w.Code, w.Body, tt.want[i])
				}
				if strings.Contains(w.Body.String(), secret) {
					t.Errorf("the answer leaks the secret: %s", w.Body)
				}
			}
		})
	}
}

// TestHandlerAnswers: the handler's answers for requests that never reach
// the steps.
func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "trigger:\n  http:\n    path: /contact\n    input:\n      required: [email]\n      properties:\n        email: {type: string, format: email}\nsteps:\n  - id: a\n    transform: {x: 1}\n", app())
	e, err := NewEngine(c, fastOptions(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path, contentType, body string
		want                            int
		says                            string
	}{
		{"GET", "/healthz", "", "", 200, `"ok":true`},
		{"GET", "/contact", "", "", 405, "POST requests only"},
		{"POST", "/elsewhere", "", "", 404, "This connector answers POST /contact"},
		{"POST", "/contact", "application/json", `{"email": "ada@example.com"}`, 200, `"ok":true`},
		{"POST", "/contact", "application/x-www-form-urlencoded", "email=ada%40example.com", 200, `"ok":true`},
		{"POST", "/contact", "application/json", `{"email": "nope"}`, 400, "It must be an email address."},
		{"POST", "/contact", "application/json", `{}`, 400, "missing `email`"},
		{"POST", "/contact", "application/json", `[1]`, 400, "must be a JSON object"},
		{"POST", "/contact", "application/json", `{"email": `, 400, "not valid JSON"},
		{"POST", "/contact", "text/csv", "a,b", 415, "JSON or forms"},
		{"POST", "/contact", "application/json", `{"email": "` + strings.Repeat("a", 2<<20) + `"}`, 413, "larger than 1 MiB"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, bytes.NewReader([]byte(tt.body)))
		if tt.contentType != "" {
			req.Header.Set("Content-Type", tt.contentType)
		}
		w := httptest.NewRecorder()
		e.Handler().ServeHTTP(w, req)
		if w.Code != tt.want || !strings.Contains(w.Body.String(), tt.says) {
			t.Errorf("%s %s %.40q: %d %s, want %d saying %q", tt.method, tt.path, tt.body, w.Code, w.Body, tt.want, tt.says)
		}
	}
}
