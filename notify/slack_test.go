package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
)

const (
	testBotToken = "xoxb-1111-2222-SECRETbottoken"
	testChannel  = "C0123456789"
)

// fakeSlack plays Slack's Web API and response URLs on loopback,
// recording what it receives.
type fakeSlack struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	posted   url.Values     // the last chat.postMessage form
	opened   map[string]any // the last views.open JSON
	response map[string]any // the last response URL JSON
	// answer, when set, replaces the answer of chat.postMessage.
	answer func(w http.ResponseWriter)
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat.postMessage", f.postMessage)
	mux.HandleFunc("POST /api/users.info", f.usersInfo)
	mux.HandleFunc("POST /api/views.open", f.viewsOpen)
	mux.HandleFunc("POST /actions/T1/1234/respond", f.respond)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSlack) slack() *Slack {
	return &Slack{BotToken: testBotToken, Channel: testChannel, APIURL: f.URL + "/api/", Interactive: true, HTTP: loopbackClient()}
}

// authorized checks the bot token, sent in the form or as a bearer token.
func (f *fakeSlack) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.FormValue("token") == testBotToken || r.Header.Get("Authorization") == "Bearer "+testBotToken {
		return true
	}
	writeJSON(w, map[string]any{"ok": false, "error": "not_authed"})
	return false
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	f.posted = r.PostForm
	answer := f.answer
	f.mu.Unlock()
	if answer != nil {
		answer(w)
		return
	}
	writeJSON(w, map[string]any{"ok": true, "channel": r.FormValue("channel"), "ts": "1767225600.000100"})
}

func (f *fakeSlack) usersInfo(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	if r.FormValue("user") != "U0ADA" {
		writeJSON(w, map[string]any{"ok": false, "error": "user_not_found"})
		return
	}
	writeJSON(w, map[string]any{"ok": true, "user": map[string]any{
		"id": "U0ADA", "team_id": "T1", "profile": map[string]any{"email": "ada@example.com"},
	}})
}

func (f *fakeSlack) viewsOpen(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("views.open body: %v", err)
	}
	f.mu.Lock()
	f.opened = req
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
}

func (f *fakeSlack) respond(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("response URL body: %v", err)
	}
	f.mu.Lock()
	f.response = req
	f.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// button is what the tests check of a Block Kit button.
type button struct {
	ActionID, Value, Style, URL, Text string
	Confirm                           bool
}

// buttons returns the buttons of Block Kit JSON.
func buttons(t *testing.T, blocksJSON []byte) []button {
	t.Helper()
	var blocks []struct {
		Type     string
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string
			Style    string
			URL      string
			Text     struct{ Text string }
			Confirm  map[string]any
		}
	}
	if err := json.Unmarshal(blocksJSON, &blocks); err != nil {
		t.Fatalf("blocks: %v\n%s", err, blocksJSON)
	}
	var b []button
	for _, bl := range blocks {
		if bl.Type != "actions" {
			continue
		}
		for _, e := range bl.Elements {
			b = append(b, button{e.ActionID, e.Value, e.Style, e.URL, e.Text.Text, e.Confirm != nil})
		}
	}
	return b
}

var approvalButtons = []button{
	{ActionID: "runway_approve", Value: "42", Style: "primary", Text: "Approve", Confirm: true},
	{ActionID: "runway_reject", Value: "42", Style: "danger", Text: "Reject"},
	{ActionID: "runway_open", URL: "https://runway.example.com/promotions/42", Text: "Open in Runway"},
}

var openButton = []button{{ActionID: "runway_open", URL: "https://runway.example.com/promotions/42", Text: "Open in Runway"}}

func TestSlackBotPostsMessage(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	if err := f.slack().Send(context.Background(), sampleNotice()); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := f.posted.Get("channel"); got != testChannel {
		t.Errorf("channel = %q, want %q", got, testChannel)
	}
	if got := f.posted.Get("text"); !strings.HasPrefix(got, "billing-api #12 needs approval for production\n") {
		t.Errorf("fallback text = %q", got)
	}
	if diff := cmp.Diff(approvalButtons, buttons(t, []byte(f.posted.Get("blocks")))); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
}

func TestSlackButtons(t *testing.T) {
	t.Parallel()
	outcome := sampleNotice()
	outcome.Kind = runway.NoticePromotionOutcome
	reminder := sampleNotice()
	reminder.Kind = runway.NoticeApprovalReminder
	noID := sampleNotice()
	noID.PromotionID = 0
	noURL := sampleNotice()
	noURL.URL = "javascript:alert(1)"
	tests := []struct {
		name        string
		n           runway.Notice
		interactive bool
		want        []button
	}{
		{"approval, interactive", sampleNotice(), true, approvalButtons},
		{"reminder, interactive", reminder, true, approvalButtons},
		{"approval, not interactive", sampleNotice(), false, openButton},
		{"outcome, interactive", outcome, true, openButton},
		{"no promotion", noID, true, openButton},
		{"no usable URL", noURL, true, approvalButtons[:2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(slackBlocks(tt.n, tt.interactive))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, buttons(t, data)); diff != "" {
				t.Errorf("buttons (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSlackIncomingWebhook(t *testing.T) {
	t.Parallel()
	var got struct {
		Text   string
		Blocks json.RawMessage
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/services/T1/B1/SECRETwebhookpath" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	n := sampleNotice()
	n.Text = append(n.Text, "Ping <!channel> & <https://evil.example|click>")
	s := &Slack{WebhookURL: srv.URL + "/services/T1/B1/SECRETwebhookpath", HTTP: loopbackClient()}
	if err := s.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(openButton, buttons(t, got.Blocks)); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
	var sections []struct{ Text struct{ Text string } }
	if err := json.Unmarshal(got.Blocks, &sections); err != nil {
		t.Fatal(err)
	}
	const escaped = "Ping &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"
	if !strings.HasSuffix(sections[2].Text.Text, "\n"+escaped) || !strings.Contains(got.Text, "\n"+escaped+"\n") {
		t.Errorf("user text was not escaped:\nblocks: %s\ntext: %s", got.Blocks, got.Text)
	}
}

func TestSlackUserEmail(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	s := f.slack()
	got, err := s.UserEmail(context.Background(), "U0ADA")
	if err != nil || got != "ada@example.com" {
		t.Fatalf("UserEmail = %q, %v; want ada@example.com", got, err)
	}
	if _, err := s.UserEmail(context.Background(), "U0NOBODY"); runway.ErrorCode(err) != runway.ENOTFOUND {
		t.Errorf("unknown user: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.UserEmail(context.Background(), "<script>"); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("bad ID: err = %v, want EINVALID", err)
	}
	noBot := &Slack{WebhookURL: "https://hooks.slack.com/services/T1/B1/X"}
	if _, err := noBot.UserEmail(context.Background(), "U0ADA"); runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "bot token") {
		t.Errorf("without bot token: err = %v, want EINVALID about the bot token", err)
	}
}

func TestSlackOpenRejectDialog(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	if err := f.slack().OpenRejectDialog(context.Background(), "13345224609.738474920.8088930838d88f008e0", 42); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var got struct {
		TriggerID string `json:"trigger_id"`
		View      struct {
			Type            string
			CallbackID      string `json:"callback_id"`
			PrivateMetadata string `json:"private_metadata"`
			Blocks          []struct {
				Type     string
				BlockID  string `json:"block_id"`
				Optional bool
				Label    struct{ Text string }
				Element  struct {
					Type      string
					ActionID  string `json:"action_id"`
					Multiline bool
				}
			}
		}
	}
	data, _ := json.Marshal(f.opened)
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	v := got.View
	if got.TriggerID != "13345224609.738474920.8088930838d88f008e0" || v.Type != "modal" || v.CallbackID != "runway_reject" || v.PrivateMetadata != "42" {
		t.Errorf("view = %s", data)
	}
	if len(v.Blocks) != 1 {
		t.Fatalf("blocks = %s", data)
	}
	b := v.Blocks[0]
	if b.Type != "input" || b.BlockID != "reason" || b.Optional || b.Label.Text != "Why are you rejecting it?" ||
		b.Element.Type != "plain_text_input" || b.Element.ActionID != "reason" || !b.Element.Multiline {
		t.Errorf("input block = %+v", b)
	}
}

func TestSlackRespond(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t)
	s := f.slack()
	if err := s.Respond(context.Background(), f.URL+"/actions/T1/1234/respond", "Approved by <@U0ADA>"); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	want := map[string]any{"replace_original": true, "delete_original": false, "text": "Approved by &lt;@U0ADA&gt;"}
	if diff := cmp.Diff(want, f.response); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	f.mu.Unlock()
	for _, u := range []string{"https://evil.example/actions/T1/1234/respond", "http://hooks.slack.com/actions/x", "ftp://" + strings.TrimPrefix(f.URL, "http://") + "/x", "not a url"} {
		if err := s.Respond(context.Background(), u, "x"); runway.ErrorCode(err) != runway.EINVALID {
			t.Errorf("Respond(%q) = %v, want EINVALID", u, err)
		}
	}
}

func TestSlackSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter)
		want   string
	}{
		{"channel not found", func(w http.ResponseWriter) { writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"}) }, "permanent"},
		{"missing scope", func(w http.ResponseWriter) {
			writeJSON(w, map[string]any{"ok": false, "error": "missing_scope", "needed": "chat:write"})
		}, "permanent"},
		{"internal error", func(w http.ResponseWriter) { writeJSON(w, map[string]any{"ok": false, "error": "internal_error"}) }, "transient"},
		{"500", func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) }, "transient"},
		{"429", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, "transient"},
		{"400", func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadRequest) }, "permanent"},
		{"not JSON", func(w http.ResponseWriter) { _, _ = io.WriteString(w, "<html>proxy error</html>") }, "transient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSlack(t)
			f.mu.Lock()
			f.answer = tt.answer
			f.mu.Unlock()
			wantKind(t, f.slack().Send(context.Background(), sampleNotice()), tt.want)
		})
	}
	t.Run("bad token", func(t *testing.T) {
		f := newFakeSlack(t)
		s := f.slack()
		s.BotToken = "xoxb-wrong"
		err := s.Send(context.Background(), sampleNotice())
		wantKind(t, err, "permanent")
		if !strings.Contains(err.Error(), "install the Slack app again") {
			t.Errorf("err = %v, want advice on the token", err)
		}
	})
}

func TestSlackConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    Slack
		want string // part of the error
	}{
		{"nothing", Slack{}, "not set up"},
		{"token without channel", Slack{BotToken: testBotToken}, "no channel"},
		{"interactive without token", Slack{WebhookURL: "https://hooks.slack.com/services/T/B/X", Interactive: true}, "need a bot token"},
		{"bad webhook URL", Slack{WebhookURL: "hooks.slack.com/services/T/B/X"}, "not an http(s) URL"},
		{"API URL without slash", Slack{BotToken: testBotToken, Channel: testChannel, APIURL: "https://slack.example/api"}, "ending with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Send(context.Background(), sampleNotice())
			wantKind(t, err, "permanent")
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}
