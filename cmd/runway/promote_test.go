package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/notify"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sqlstore"
)

// slackPeer plays Slack's Web API on loopback: it records the messages
// Runway posts and answers users.info from a fixed directory.
type slackPeer struct {
	mu        sync.Mutex
	messages  []url.Values
	responses []string
	views     []string          // views.open requests
	emails    map[string]string // Slack user id → email
	srv       *httptest.Server
}

func newSlackPeer(t *testing.T, token string) *slackPeer {
	p := &slackPeer{emails: map[string]string{"U0LEAD": "lead@example.com", "U0DEV": "dev@example.com"}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("token") != token && r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "bad auth", http.StatusUnauthorized)
			return
		}
		p.mu.Lock()
		p.messages = append(p.messages, r.PostForm)
		p.mu.Unlock()
		fmt.Fprint(w, `{"ok":true,"channel":"C1","ts":"1.1"}`)
	})
	mux.HandleFunc("POST /api/users.info", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		email, ok := p.emails[r.PostForm.Get("user")]
		if !ok {
			fmt.Fprint(w, `{"ok":false,"error":"user_not_found"}`)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"profile":{"email":%q}}}`, r.PostForm.Get("user"), email)
	})
	mux.HandleFunc("POST /api/views.open", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.views = append(p.views, string(body))
		p.mu.Unlock()
		fmt.Fprint(w, `{"ok":true,"view":{"id":"V1"}}`)
	})
	mux.HandleFunc("POST /respond", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.responses = append(p.responses, string(body))
		p.mu.Unlock()
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// approvalMessage returns the blocks of the first message with Approve
// and Reject buttons for the promotion, or "".
func (p *slackPeer) approvalMessage(id int64) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.messages {
		b := m.Get("blocks")
		if strings.Contains(b, `"action_id":"runway_approve"`) && strings.Contains(b, `"action_id":"runway_reject"`) && strings.Contains(b, fmt.Sprintf(`"value":"%d"`, id)) {
			return b
		}
	}
	return ""
}

// webhookPeer receives signed webhooks and keeps those that verify.
type webhookPeer struct {
	mu       sync.Mutex
	verified []string
	refused  int
	failed   int // deliveries answered 500 on purpose
}

// slackRequest builds a signed interaction request as Slack sends it.
func slackRequest(t *testing.T, base, secret string, ts time.Time, payload string) *http.Request {
	body := "payload=" + url.QueryEscape(payload)
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req, err := http.NewRequest("POST", base+SlackInteractionsPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

func clickPayload(user, responseURL string, id int64) string {
	return buttonPayload("runway_approve", user, responseURL, id)
}

func buttonPayload(action, user, responseURL string, id int64) string {
	return fmt.Sprintf(`{"type":"block_actions","user":{"id":%q,"team_id":"T0RUNWAY"},"team":{"id":"T0RUNWAY"},"trigger_id":"1.2.abc","response_url":%q,
		"actions":[{"type":"button","action_id":%q,"block_id":"runway_actions","value":"%d","action_ts":"1.3"}]}`, user, responseURL, action, id)
}

// rejectPayload is the reject dialog's submission.
func rejectPayload(user string, id int64, reason string) string {
	return fmt.Sprintf(`{"type":"view_submission","user":{"id":%q,"team_id":"T0RUNWAY"},"team":{"id":"T0RUNWAY"},"trigger_id":"1.2.def",
		"view":{"id":"V1","type":"modal","callback_id":"runway_reject","private_metadata":"%d",
		"state":{"values":{"reason":{"reason":{"type":"plain_text_input","value":%q}}}}}}`, user, id, reason)
}

// post sends a request and returns its status.
func post(t *testing.T, req *http.Request) int {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestPromotionEndToEnd goes through the CLI: a tier-2 candidate submitted
// by a developer cannot be approved by that developer; the team lead
// approves it and only then is a deployment started. Slack gets the
// message with working buttons: a signed click approves, a replayed one
// changes nothing, and forged or stale requests are refused with 401.
func TestPromotionEndToEnd(t *testing.T) {
	botToken := fakeSlackToken()
	signing := "8f742231b10e8888abcd99yyyzzz85a5"
	hookSecret := "whsec-test-0123456789"
	slack := newSlackPeer(t, botToken)
	hooks := &webhookPeer{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hooks.mu.Lock()
		defer hooks.mu.Unlock()
		if hooks.failed == 0 {
			// The first delivery fails: River must retry it.
			hooks.failed++
			http.Error(w, "try again later", http.StatusInternalServerError)
			return
		}
		if err := notify.VerifyWebhook(r.Header, body, hookSecret, time.Now()); err != nil {
			hooks.refused++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		hooks.verified = append(hooks.verified, r.Header.Get(notify.HeaderEvent))
	}))
	t.Cleanup(hook.Close)
	var cardsMu sync.Mutex
	var cards []string
	teams := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cardsMu.Lock()
		cards = append(cards, string(body))
		cardsMu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(teams.Close)
	conf := filepath.Join(t.TempDir(), "runway.yaml")
	os.WriteFile(conf, []byte(fmt.Sprintf(`notify:
  slack:
    channel: "#releases"
    api_url: %s/api/
  webhooks:
    - name: audit-sink
      url: %s/hook
      secret_env: RUNWAY_WEBHOOK_AUDIT_SINK
  allow_private_hosts: [127.0.0.1/32]
`, slack.srv.URL, hook.URL)), 0o600)
	data := t.TempDir()
	up := startUpEnv(t, []string{"RUNWAY_CONFIG=" + conf, "RUNWAY_SLACK_BOT_TOKEN=" + botToken,
		"RUNWAY_SLACK_SIGNING_SECRET=" + signing, "RUNWAY_WEBHOOK_AUDIT_SINK=" + hookSecret, "RUNWAY_TEAMS_WEBHOOK_URL=" + teams.URL + "/webhookb2/secret-path"}, "--data", data)
	must := func(r result, what string) result {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", what, r.code, r.stdout, r.stderr)
		}
		return r
	}
	must(up.remote(t, up.token, "", "teams", "create", "web"), "teams create")
	tokens := people(t, filepath.Join(data, "runway.db"), map[string]runway.RoleGrant{
		"dev": {Role: runway.RoleDeveloper, Team: "web"}, "lead": {Role: runway.RoleTeamLead, Team: "web"},
	})

	// A developer scaffolds a team app with internal data, checks it and
	// submits it: tier 2.
	dir := filepath.Join(t.TempDir(), "notes")
	must(cli(t, "", "new", "static-site", dir, "--name", "notes", "--owner", "web", "--audience", "team", "--data", "internal", "--yes"), "new")
	cli(t, "", "check", dir, "--quiet", "--skip", "build,lint,test", "--vuln-db", vulnDB(t))
	must(up.remote(t, tokens["dev"], "", "submit", dir), "submit")

	// The developer asks for production and is told who must approve, and
	// why.
	prom := must(up.remote(t, tokens["dev"], "", "promote", "notes", "--to", "production", "-o", "json"), "promote")
	var p runway.Promotion
	if err := json.Unmarshal([]byte(prom.stdout), &p); err != nil || p.State != runway.PromotionPending {
		t.Fatalf("promotion: %v %s", err, prom.stdout)
	}
	text := must(up.remote(t, tokens["dev"], "", "approvals", "show", strconv.FormatInt(p.ID, 10)), "approvals show")
	for _, want := range []string{"Needs one team lead of web.", "Tier 2 apps need a team lead's approval before production.", "You cannot answer it: You submitted candidate #1"} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("approvals show lacks %q:\n%s", want, text.stdout)
		}
	}
	// The submitter cannot approve it, and nothing is deployed.
	if r := up.remote(t, tokens["dev"], "", "approvals", "approve", strconv.FormatInt(p.ID, 10)); r.code == 0 || !strings.Contains(r.stderr, "you submitted candidate #1") {
		t.Fatalf("the submitter approved: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if n := deployments(t, up, "notes"); n != 0 {
		t.Fatalf("%d deployments before any approval", n)
	}
	// The team lead sees it in their inbox and approves it: it starts.
	if inbox := must(up.remote(t, tokens["lead"], "", "approvals", "list"), "approvals list"); !strings.Contains(inbox.stdout, "notes") {
		t.Fatalf("the lead's inbox:\n%s", inbox.stdout)
	}
	ok := must(up.remote(t, tokens["lead"], "", "approvals", "approve", strconv.FormatInt(p.ID, 10), "--reason", "looks fine"), "approve")
	if !strings.Contains(ok.stdout, "started") || deployments(t, up, "notes") != 1 {
		t.Fatalf("after the lead's approval:\n%s", ok.stdout)
	}

	// Slack got the request with Approve and Reject buttons.
	waitFor(t, "the Slack message with buttons", func() bool { return slack.approvalMessage(p.ID) != "" })
	waitFor(t, "the signed webhook, after a retry", func() bool {
		hooks.mu.Lock()
		defer hooks.mu.Unlock()
		return len(hooks.verified) > 0 && hooks.failed == 1
	})
	// Teams got an Adaptive Card linking to the web approval page.
	waitFor(t, "the Teams card", func() bool {
		cardsMu.Lock()
		defer cardsMu.Unlock()
		for _, c := range cards {
			if strings.Contains(c, "application/vnd.microsoft.card.adaptive") && strings.Contains(c, "Action.OpenUrl") && strings.Contains(c, fmt.Sprintf("/approvals/%d", p.ID)) {
				return true
			}
		}
		return false
	})

	// A second request, to staging, is approved from Slack.
	prom = must(up.remote(t, tokens["dev"], "", "promote", "notes", "--to", "staging", "-o", "json"), "promote staging")
	json.Unmarshal([]byte(prom.stdout), &p)
	waitFor(t, "the staging message", func() bool { return slack.approvalMessage(p.ID) != "" })
	click := clickPayload("U0LEAD", slack.srv.URL+"/respond", p.ID)
	refused := map[string]*http.Request{
		"tampered body":   slackRequest(t, up.url, signing, time.Now(), click),
		"wrong signature": slackRequest(t, up.url, "not-the-secret", time.Now(), click),
		"older than 300s": slackRequest(t, up.url, signing, time.Now().Add(-301*time.Second), click),
	}
	// The tampered request keeps the signature of the real click but
	// names another Slack user.
	forged := slackRequest(t, up.url, signing, time.Now(), strings.Replace(click, "U0LEAD", "U0DEV", 1))
	forged.Header = refused["tampered body"].Header
	refused["tampered body"] = forged
	for name, req := range refused {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, res.StatusCode)
		}
	}
	valid := slackRequest(t, up.url, signing, time.Now(), click)
	body, _ := io.ReadAll(valid.Body)
	for i := range 10 {
		req, _ := http.NewRequest("POST", valid.URL.String(), bytes.NewReader(body))
		req.Header = valid.Header.Clone()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("click %d: status %d", i, res.StatusCode)
		}
	}
	var got runway.Promotion
	show := must(up.remote(t, tokens["lead"], "", "approvals", "show", strconv.FormatInt(p.ID, 10), "-o", "json"), "show")
	json.Unmarshal([]byte(show.stdout), &got)
	if len(got.Approvals) != 1 || got.Approvals[0].Via != "slack" || got.Approvals[0].By != "user:lead@example.com" || got.State != runway.PromotionStarted {
		t.Fatalf("after ten deliveries of one click: %d approvals, state %s: %+v", len(got.Approvals), got.State, got.Approvals)
	}
	waitFor(t, "the Slack message update", func() bool {
		slack.mu.Lock()
		defer slack.mu.Unlock()
		return len(slack.responses) == 1 && strings.Contains(slack.responses[0], "lead@example.com approved notes #1 to staging")
	})
	// Reject from Slack: the button opens the reason dialog; its
	// submission records the rejection with the reason.
	prom = must(up.remote(t, tokens["dev"], "", "promote", "notes", "--to", "production", "-o", "json"), "promote again")
	json.Unmarshal([]byte(prom.stdout), &p)
	if st := post(t, slackRequest(t, up.url, signing, time.Now(), buttonPayload("runway_reject", "U0LEAD", slack.srv.URL+"/respond", p.ID))); st != http.StatusOK {
		t.Fatalf("reject button: status %d", st)
	}
	slack.mu.Lock()
	opened := len(slack.views) == 1 && strings.Contains(slack.views[0], "runway_reject") && strings.Contains(slack.views[0], fmt.Sprintf(`"private_metadata":"%d"`, p.ID))
	slack.mu.Unlock()
	if !opened {
		t.Fatalf("the reject dialog was not opened: %v", slack.views)
	}
	if st := post(t, slackRequest(t, up.url, signing, time.Now(), rejectPayload("U0LEAD", p.ID, "the export has no row limit"))); st != http.StatusOK {
		t.Fatalf("reject dialog: status %d", st)
	}
	show = must(up.remote(t, tokens["dev"], "", "approvals", "show", strconv.FormatInt(p.ID, 10), "-o", "json"), "show rejected")
	json.Unmarshal([]byte(show.stdout), &got)
	if got.State != runway.PromotionRejected || !strings.Contains(got.Outcome, "the export has no row limit") || got.Approvals[0].Via != "slack" {
		t.Fatalf("after the Slack rejection: %+v", got)
	}
	for _, secret := range []string{botToken, signing, hookSecret, "secret-path"} {
		if strings.Contains(up.log.String(), secret) || strings.Contains(up.out.String(), secret) {
			t.Fatal("a secret appears in the server's output")
		}
	}
	hooks.mu.Lock()
	defer hooks.mu.Unlock()
	if hooks.refused != 0 {
		t.Fatalf("%d webhook deliveries did not verify", hooks.refused)
	}
}

// people creates users with one grant each, and a token for each, in the
// server's database (as sign-in would), returning name → token.
func people(t *testing.T, db string, grants map[string]runway.RoleGrant) map[string]string {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	out := map[string]string{}
	for name, g := range grants {
		u := &runway.User{Email: name + "@example.com", Grants: []runway.RoleGrant{g}}
		if err := store.CreateUser(runwaytest.Ctx, u); err != nil {
			t.Fatal(err)
		}
		secret := runway.NewTokenSecret()
		if err := store.CreateToken(runwaytest.Ctx, &runway.Token{UserID: u.ID, Name: "cli", ExpiresAt: time.Now().Add(time.Hour)}, secret); err != nil {
			t.Fatal(err)
		}
		out[name] = secret
	}
	return out
}

// deployments counts an app's deployments through the API.
func deployments(t *testing.T, up *upProcess, app string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", up.url+"/api/v1/apps/"+app+"/deployments", nil)
	req.Header.Set("Authorization", "Bearer "+up.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var l struct{ Items []runway.Deployment }
	if err := json.NewDecoder(res.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	return len(l.Items)
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within 20 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
