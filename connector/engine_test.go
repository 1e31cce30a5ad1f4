package connector

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

const formConnector = `
trigger:
  http:
    path: /contact
    input:
      required: [name, message]
      properties:
        name: {type: string}
        message: {type: string}
        callback: {type: string}
steps:
  - id: notify
    slack.post_message:
      text: "New message from ${{ request.body.name }}: ${{ request.body.message }}"
  - id: call_back
    if: request.body.callback != ""
    then:
      - id: ping
        http.request:
          method: POST
          url: ${{ request.body.callback }}
          body: {name: "${{ request.body.name }}"}
  - id: thanks
    respond:
      status: 201
      body: {ok: "${{ steps.notify.ok }}", name: "${{ request.body.name }}"}
`

// TestSlackOnLoopback: a request runs the connector, which posts to a
// Slack-compatible receiver on loopback through the webhook address in
// the secret; the secret's value is in no log, record or answer.
func TestSlackOnLoopback(t *testing.T) {
	t.Parallel()
	slack := newReceiver(t, "127.0.0.1")
	hook := slack.URL + "/services/T0001/B0002/very-secret-token-value"
	c := mustParse(t, formConnector, app(integration("slack", "127.0.0.1", "SLACK_WEBHOOK_URL")))
	log := &syncBuffer{}
	rec := tracetest.NewSpanRecorder()
	e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"SLACK_WEBHOOK_URL": hook}), Log: log,
		Tracer: trace.NewTracerProvider(trace.WithSpanProcessor(rec)).Tracer("test")}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	status, answer := post(t, e, "/contact", map[string]any{"name": "Ada", "message": "Hello"})
	if status != http.StatusCreated || answer["name"] != "Ada" || answer["ok"] != true {
		t.Fatalf("answer %d %v", status, answer)
	}
	got := slack.got()
	if len(got) != 1 || got[0].Path != "/services/T0001/B0002/very-secret-token-value" {
		t.Fatalf("receiver got %+v", got)
	}
	var msg map[string]any
	json.Unmarshal(got[0].Body, &msg)
	if msg["text"] != "New message from Ada: Hello" {
		t.Errorf("Slack got %q", msg["text"])
	}
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
		for _, a := range s.Attributes() {
			if leaks(a.Value.String(), "very-secret-token-value") {
				t.Errorf("span %s leaks the secret in %s", s.Name(), a.Key)
			}
		}
	}
	if strings.Join(names, ",") != "step notify,step call_back,step thanks,connector run" {
		t.Errorf("spans = %v", names)
	}
	if leaks(log.String(), "very-secret-token-value", "T0001/B0002") {
		t.Errorf("the log leaks the secret:\n%s", log)
	}
	if !strings.Contains(log.String(), "[SLACK_WEBHOOK_URL]") {
		t.Errorf("the log does not name the redacted secret:\n%s", log)
	}
}

// TestUndeclaredHostRefusedAtRunTime: an address worked out at run time
// to a host runway.yaml does not declare is refused before any
// connection, and the run says why.
func TestUndeclaredHostRefusedAtRunTime(t *testing.T) {
	t.Parallel()
	slack := newReceiver(t, "127.0.0.1")
	c := mustParse(t, formConnector, app(integration("slack", "127.0.0.1", "SLACK_WEBHOOK_URL")))
	if !c.Facts().DynamicURLs {
		t.Error("facts do not say that an address is worked out at run time")
	}
	e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"SLACK_WEBHOOK_URL": slack.URL + "/hook/secret-path"})}))
	if err != nil {
		t.Fatal(err)
	}
	run := e.Run(context.Background(), jsonEvent("/contact", map[string]any{"name": "Ada", "message": "Hi", "callback": "https://evil.example/steal"}))
	if run.Status != RunFailed || run.Response.Status != http.StatusBadGateway {
		t.Fatalf("run %s, answer %+v", run.Status, run.Response)
	}
	want := "step `ping`: refused to call evil.example: runway.yaml declares no integration for this host (declared: 127.0.0.1)"
	if !strings.HasPrefix(run.Error, want) {
		t.Errorf("error = %q, want it to start with %q", run.Error, want)
	}
	if !run.Dead() {
		t.Error("a failed run is not a dead letter")
	}
}

// TestPrivateAddressesNeedDeclaringByAddress: a declared host name that
// resolves to a loopback address is refused at connect time; the same
// receiver declared by its address is reached.
func TestPrivateAddressesNeedDeclaringByAddress(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, "127.0.0.1")
	const conn = `
trigger: {http: {path: /go}}
steps:
  - id: call
    http.request: {url: "${{ request.body.url }}"}
`
	port := strings.TrimPrefix(rc.URL, "http://127.0.0.1")
	tests := []struct {
		host, url, want string
	}{
		{"localhost", "https://localhost" + port + "/x", "refused to connect to localhost: its address is private, loopback or internal"},
		{"localhost", "http://localhost" + port + "/x", "refused to call localhost over plain http"},
		{"127.0.0.1", rc.URL + "/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c := mustParse(t, conn, app(integration("api", tt.host, "")))
			e, err := NewEngine(c, fastOptions(Options{}))
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			run := e.Run(context.Background(), jsonEvent("/go", map[string]any{"url": tt.url}))
			if tt.want == "" {
				if run.Status != RunOK {
					t.Fatalf("run %s: %s", run.Status, run.Error)
				}
				return
			}
			if !strings.Contains(run.Error, tt.want) {
				t.Errorf("error = %q, want %q", run.Error, tt.want)
			}
			if n := len(run.Steps[0].Calls); n != 1 {
				t.Errorf("%d attempts; a refusal is never retried", n)
			}
		})
	}
}

// TestRedirectsAreRechecked: a declared receiver redirecting to an
// undeclared host does not take the call there.
func TestRedirectsAreRechecked(t *testing.T) {
	t.Parallel()
	elsewhere := newReceiver(t, "127.0.0.2")
	rc := newReceiver(t, "127.0.0.1")
	rc.answer = func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/landed", http.StatusFound)
	}
	c := mustParse(t, "trigger: {http: {path: /go}}\nsteps:\n  - id: call\n    http.request: {url: \""+rc.URL+"/start\"}\n",
		app(integration("api", "127.0.0.1", "")))
	e, _ := NewEngine(c, fastOptions(Options{}))
	run := e.Run(context.Background(), jsonEvent("/go", nil))
	if !strings.Contains(run.Error, "refused to follow the call to 127.0.0.2") || len(elsewhere.got()) != 0 {
		t.Errorf("error %q; the undeclared host got %d requests", run.Error, len(elsewhere.got()))
	}
}

// TestRetries: a busy service (503) is tried again with the same
// idempotency key and a valid signature each time; a service that failed
// in a way that may have acted (500) is not, for a call without a key.
func TestRetries(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, "127.0.0.1")
	rc.answer = func(n int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slack" || n <= 2 {
			w.WriteHeader(map[bool]int{true: 500, false: 503}[r.URL.Path == "/slack"])
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
	c := mustParse(t, `
trigger: {http: {path: /go}}
steps:
  - id: send
    webhook.send: {url: "`+rc.URL+`/hook", body: {order: 42}}
  - id: notify
    retries: 3
    slack.post_message: {text: done}
`, app(integration("hooks", "127.0.0.1", "HOOK_SECRET"), integration("slack", "127.0.0.1", "SLACK_URL")))
	e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"HOOK_SECRET": "signing-secret-1", "SLACK_URL": rc.URL + "/slack"})}))
	if err != nil {
		t.Fatal(err)
	}
	run := e.Run(context.Background(), jsonEvent("/go", nil))
	got := rc.got()
	if len(got) != 4 {
		t.Fatalf("receiver got %d requests, want 3 webhook attempts and 1 Slack post: %+v", len(got), run)
	}
	key := got[0].Header.Get("Idempotency-Key")
	for _, r := range got[:3] {
		if r.Header.Get("Idempotency-Key") != key || key == "" {
			t.Errorf("idempotency keys differ: %q, %q", key, r.Header.Get("Idempotency-Key"))
		}
		ts := r.Header.Get(headerTimestamp)
		if sig := r.Header.Get(headerSignature); sig != "sha256="+hexMAC("signing-secret-1", ts+"."+string(r.Body)) {
			t.Errorf("signature %q does not verify", sig)
		}
	}
	if run.Status != RunFailed || !strings.Contains(run.Error, "step `notify`: 127.0.0.1 answered 500 Internal Server Error") {
		t.Errorf("run %s: %s", run.Status, run.Error)
	}
	if n := len(run.Steps[0].Calls); n != 3 {
		t.Errorf("webhook.send made %d attempts, want 3", n)
	}
}

func jsonEvent(path string, body map[string]any) Event {
	data, _ := json.Marshal(body)
	if body == nil {
		data = nil
	}
	return Event{Method: http.MethodPost, Path: path, Header: http.Header{"Content-Type": {"application/json"}}, Body: data, Query: url.Values{}}
}

// TestTeamsAndSlackAPI: a Teams card reaches a receiver on loopback as an
// Adaptive Card; Slack's chat.postMessage (a step with a channel) sends
// the bot token and reports Slack's refusal.
func TestTeamsAndSlackAPI(t *testing.T) {
	t.Parallel()
	teams := newReceiver(t, "127.0.0.1")
	c := mustParse(t, `
trigger: {http: {path: /go}}
steps:
  - id: card
    teams.post_card: {title: "Order ${{ run.id }}", text: Shipped, facts: {Customer: Acme}, link: "https://example.com/o/1"}
  - id: post
    slack.post_message: {channel: "#sales", text: Shipped}
`, app(integration("teams", "127.0.0.1", "TEAMS_WEBHOOK_URL"), integration("slack", "slack.com", "SLACK_BOT_TOKEN")))
	slack := &stub{replies: map[string]exampleReply{"post": {Body: map[string]any{"ok": false, "error": "channel_not_found"}}}}
	e, err := NewEngine(c, fastOptions(Options{Secrets: secrets(map[string]string{"TEAMS_WEBHOOK_URL": teams.URL + "/workflows/secret-id", "SLACK_BOT_TOKEN": "xoxb-bot-token-1"}),
		Outbound: &split{net: newNetOutbound(c), stub: slack}}))
	if err != nil {
		t.Fatal(err)
	}
	run := e.Run(context.Background(), jsonEvent("/go", nil))
	if run.Error != "step `post`: the Slack API refused the message: channel_not_found" {
		t.Errorf("run: %s", run.Error)
	}
	var card map[string]any
	json.Unmarshal(teams.got()[0].Body, &card)
	content := card["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)
	if content["type"] != "AdaptiveCard" || len(content["body"].([]any)) != 3 || content["actions"] == nil {
		t.Errorf("card %v", content)
	}
	call := slack.calls[0]
	if call.URL.String() != "https://slack.com/api/chat.postMessage" || call.Header.Get("Authorization") != "Bearer xoxb-bot-token-1" {
		t.Errorf("chat.postMessage call: %s %v", call.URL, call.Header)
	}
	if data, _ := jsonString(run); strings.Contains(data, "xoxb-bot-token-1") || strings.Contains(data, "secret-id") {
		t.Errorf("the record leaks a secret: %s", data)
	}
}

// split sends Slack's calls to a stub and the others to the network.
type split struct {
	net  Outbound
	stub *stub
}

func (s *split) Do(ctx context.Context, c *Call) (*Reply, error) {
	if c.Integration == "slack" {
		return s.stub.Do(ctx, c)
	}
	return s.net.Do(ctx, c)
}

func (s *split) Close() error { return s.net.Close() }
