package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/oidc/oidctest"
	"github.com/runwayhq/runway/runwaytest"
)

// syncBuffer is an output the server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// upProcess is a `runway up` running in the test, through the real entry
// point.
type upProcess struct {
	url, token string
	out, log   *syncBuffer
	stop       context.CancelFunc
	done       chan int
}

var upURL = regexp.MustCompile(`Runway is up at (http://\S+) `)
var bootstrapToken = regexp.MustCompile(`\n    (rwy_[0-9a-f]{64})\n`)

func startUp(t *testing.T, args ...string) *upProcess {
	t.Helper()
	return startUpEnv(t, nil, args...)
}

// startUpEnv starts `runway up` with more environment variables.
func startUpEnv(t *testing.T, env []string, args ...string) *upProcess {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	p := &upProcess{out: &syncBuffer{}, log: &syncBuffer{}, stop: stop, done: make(chan int, 1)}
	a := &app{stdio: stdio{in: strings.NewReader(""), out: p.out, err: p.log}, environ: append(testEnviron(t), env...), terminal: func(any) bool { return false }}
	go func() { p.done <- a.execute(ctx, append([]string{"up", "--addr", "127.0.0.1:0"}, args...)) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := upURL.FindStringSubmatch(p.out.String()); m != nil {
			p.url = m[1]
			break
		}
		select {
		case code := <-p.done:
			t.Fatalf("runway up exited with %d:\n%s\n%s", code, p.out, p.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("runway up did not start:\n%s\n%s", p.out, p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if m := bootstrapToken.FindStringSubmatch(p.out.String()); m != nil {
		p.token = m[1]
	}
	t.Cleanup(func() { p.shutdown(t) })
	return p
}

// shutdown stops the server as Ctrl+C does and checks it exits cleanly.
func (p *upProcess) shutdown(t *testing.T) {
	t.Helper()
	if p.stop == nil {
		return
	}
	p.stop()
	p.stop = nil
	select {
	case code := <-p.done:
		if code != exitOK && code != exitSignal {
			t.Errorf("runway up exited with %d after the stop:\n%s", code, p.log)
		}
	case <-time.After(30 * time.Second):
		t.Error("runway up did not stop within 30 s")
	}
}

// remote runs a client command against the server with RUNWAY_URL and the
// given token, in a config folder of the test's own.
func (p *upProcess) remote(t *testing.T, token, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := append(testEnviron(t), "RUNWAY_URL="+p.url)
	if token != "" {
		env = append(env, "RUNWAY_TOKEN="+token)
	}
	a := &app{stdio: stdio{in: strings.NewReader(stdin), out: &out, err: &errb}, environ: env, terminal: func(any) bool { return false }}
	code := a.execute(context.Background(), args)
	return result{out.String(), errb.String(), code}
}

func TestUpAndClient(t *testing.T) {
	data := t.TempDir()
	up := startUp(t, "--data", data)
	if up.token == "" {
		t.Fatalf("first start printed no admin token:\n%s", up.out)
	}
	// The job workers verify the audit trail in the background at start.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(getBody(t, up.url+"/metrics"), "runway_audit_chain_verified 1") {
		if time.Now().After(deadline) {
			t.Fatalf("the background audit verification did not run:\n%s", up.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"} {
		res, err := http.Get(up.url + path)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, res, err)
		}
		res.Body.Close()
	}
	must := func(r result, what string) result {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", what, r.code, r.stdout, r.stderr)
		}
		return r
	}
	must(up.remote(t, up.token, "", "teams", "create", "web", "--display-name", "Web team"), "teams create")

	// Scaffold an app, check it (the scans only), submit it.
	dir := filepath.Join(t.TempDir(), "notes")
	must(cli(t, "", "new", "static-site", dir, "--name", "notes", "--owner", "web", "--yes"), "new")
	cli(t, "", "check", dir, "--quiet", "--skip", "build,lint,test", "--vuln-db", vulnDB(t))
	sub := up.remote(t, up.token, "", "submit", dir)
	if sub.code != 0 || !strings.Contains(sub.stdout, "notes candidate 1") {
		t.Fatalf("submit: exit %d\n%s%s", sub.code, sub.stdout, sub.stderr)
	}
	var c runway.Candidate
	show := must(up.remote(t, up.token, "", "candidates", "show", "notes", "1", "-o", "json"), "candidates show")
	if err := json.Unmarshal([]byte(show.stdout), &c); err != nil || c.Report == nil || !strings.HasPrefix(c.SourceDigest, "sha256:") {
		t.Fatalf("candidate: %v %+v", err, c)
	}
	req, _ := http.NewRequest("GET", up.url+"/api/v1/apps/notes/candidates/1/sbom?format=spdx", nil)
	req.Header.Set("Authorization", "Bearer "+up.token)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/spdx+json" {
		t.Fatalf("the submitted SPDX SBOM: %v %v", res, err)
	}
	list := must(up.remote(t, up.token, "", "apps", "list"), "apps list")
	if !strings.Contains(list.stdout, "notes") || !strings.Contains(list.stdout, "web") {
		t.Fatalf("apps list:\n%s", list.stdout)
	}

	// login keeps the token; later commands need no RUNWAY_TOKEN.
	env := append(testEnviron(t), "RUNWAY_URL="+up.url)
	var out, errb bytes.Buffer
	a := &app{stdio: stdio{in: strings.NewReader(up.token + "\n"), out: &out, err: &errb}, environ: env, terminal: func(any) bool { return false }}
	if code := a.execute(context.Background(), []string{"login"}); code != 0 || !strings.Contains(out.String(), "as admin@runway.local") {
		t.Fatalf("login: %d %s %s", code, out.String(), errb.String())
	}
	a = &app{stdio: stdio{in: strings.NewReader(""), out: &out, err: &errb}, environ: env, terminal: func(any) bool { return false }}
	if code := a.execute(context.Background(), []string{"teams", "list", "-o", "json"}); code != 0 || !strings.Contains(out.String(), `"name": "web"`) {
		t.Fatalf("teams list after login: %d %s %s", code, out.String(), errb.String())
	}

	// A scoped token cannot do more than its scope.
	tok := must(up.remote(t, up.token, "", "tokens", "create", "ci", "--scope", "read", "-o", "json"), "tokens create")
	var created struct{ Secret string }
	json.Unmarshal([]byte(tok.stdout), &created)
	if r := up.remote(t, created.Secret, "", "teams", "create", "ops"); r.code == 0 || !strings.Contains(r.stderr, "limited to [read]") {
		t.Fatalf("read-only token created a team: %d %s", r.code, r.stderr)
	}

	// The audit trail verifies from the server and from an export; an
	// edited export does not.
	if r := must(up.remote(t, up.token, "", "audit", "verify", "-o", "json"), "audit verify"); !strings.Contains(r.stdout, `"verified": true`) {
		t.Fatalf("audit verify -o json:\n%s", r.stdout)
	}
	export := filepath.Join(t.TempDir(), "audit.jsonl")
	must(up.remote(t, up.token, "", "audit", "export", "--out", export), "audit export")
	must(up.remote(t, "", "", "audit", "verify", "--file", export), "audit verify --file")
	raw, _ := os.ReadFile(export)
	os.WriteFile(export, bytes.Replace(raw, []byte(`"team.create"`), []byte(`"team.delete"`), 1), 0o644)
	if r := up.remote(t, "", "", "audit", "verify", "--file", export); r.code != exitBlocked || !strings.Contains(r.stderr, "was edited") {
		t.Fatalf("an edited export verified: %d %s", r.code, r.stderr)
	}
	if strings.Contains(up.log.String(), up.token) {
		t.Fatal("the admin token appears in the server's logs")
	}

	// A restart keeps everything and prints no new token.
	up.shutdown(t)
	again := startUp(t, "--data", data)
	if again.token != "" {
		t.Fatal("a restart printed a new admin token")
	}
	if r := again.remote(t, up.token, "", "candidates", "list", "--app", "notes"); r.code != 0 || !strings.Contains(r.stdout, "notes") {
		t.Fatalf("after restart: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestUpDemo(t *testing.T) {
	up := startUp(t, "--data", t.TempDir(), "--demo")
	r := up.remote(t, up.token, "", "candidates", "list", "-o", "json")
	for _, want := range []string{`"lunch-poll"`, `"team-wiki"`, `"expense-approvals"`, `"payroll-export"`, `"blocked"`, `"needs_approval"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo candidates lack %s:\n%s", want, r.stdout)
		}
	}
	// The admin's inbox holds both sample requests (admins may meet any
	// requirement, and submitted neither).
	inbox := up.remote(t, up.token, "", "approvals", "list")
	for _, want := range []string{"team-wiki", "production", "expense-approvals", "staging", "dev.web@demo.runway"} {
		if !strings.Contains(inbox.stdout, want) {
			t.Errorf("the admin's inbox lacks %s:\n%s%s", want, inbox.stdout, inbox.stderr)
		}
	}
}

func TestUpErrors(t *testing.T) {
	r := cli(t, "", "up", "--addr", "256.0.0.1:99999", "--data", t.TempDir())
	if r.code != exitUsage || !strings.Contains(r.stderr, "cannot listen on 256.0.0.1:99999") {
		t.Fatalf("bad address: %d %s", r.code, r.stderr)
	}
	r = cli(t, "", "apps", "list")
	if r.code != exitUsage || !strings.Contains(r.stderr, "Set RUNWAY_URL") {
		t.Fatalf("no server: %d %s", r.code, r.stderr)
	}
}

func FuzzAuditExport(f *testing.F) {
	f.Add(`{"seq":1,"time":"2026-11-29T09:00:00Z","actor":"system","action":"team.create","subject":"team:web","data":{},"prev_hash":"0","hash":"1"}` + "\n" + `{"head":{"seq":1,"hash":"1"}}` + "\n")
	f.Add(`{"head":{"seq":0,"hash":"x"}}`)
	f.Add("not json\n")
	f.Fuzz(func(t *testing.T, s string) {
		var v auditCheck
		head, err := readAuditExport(strings.NewReader(s), v.next)
		if err == nil {
			v.end(head, nil) // must not panic whatever the content
		}
	})
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestUpTwoProcessesOnPostgres runs two `runway up` on one PostgreSQL
// schema, the scale path: what one writes, the other serves, and the
// audit trail stays one chain.
func TestUpTwoProcessesOnPostgres(t *testing.T) {
	db := runwaytest.FreshSchema(t)
	one := startUp(t, "--data", t.TempDir(), "--database-url", db)
	two := startUp(t, "--data", t.TempDir(), "--database-url", db)
	if one.token == "" || two.token != "" {
		t.Fatalf("exactly the first process should print the admin token: %q %q", one.token, two.token)
	}
	for i, p := range []*upProcess{one, two} {
		if r := p.remote(t, one.token, "", "teams", "create", fmt.Sprintf("team-%d", i)); r.code != 0 {
			t.Fatalf("teams create on process %d: %s", i+1, r.stderr)
		}
	}
	r := two.remote(t, one.token, "", "teams", "list")
	if !strings.Contains(r.stdout, "team-0") || !strings.Contains(r.stdout, "team-1") {
		t.Fatalf("process 2 does not see both teams:\n%s", r.stdout)
	}
	if r := one.remote(t, one.token, "", "audit", "verify"); r.code != 0 {
		t.Fatalf("audit verify: %s", r.stderr)
	}
}

// TestUpWebSignIn signs in on the web UI with the admin token, then with
// single sign-on against a real local identity provider.
func TestUpWebSignIn(t *testing.T) {
	idp := oidctest.New(t)
	idp.SetUser(oidctest.User{Subject: "7", Email: "sam@example.com", Name: "Sam", EmailVerified: true, Groups: []string{"platform-eng"}})
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(cfg, []byte("server:\n  oidc:\n    mappings:\n      - {group: platform-eng, role: platform}\n"), 0o644)
	up := startUpEnv(t, []string{"RUNWAY_OIDC_ISSUER=" + idp.URL, "RUNWAY_OIDC_CLIENT_ID=" + idp.ClientID, "RUNWAY_OIDC_CLIENT_SECRET=" + idp.ClientSecret},
		"--config", cfg, "--data", t.TempDir(), "--demo")
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// The token form.
	req, _ := http.NewRequest("POST", up.url+"/sign-in", strings.NewReader(url.Values{"token": {up.token}, "next": {"/apps"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", up.url)
	res, err := browser.Do(req)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("token sign-in: %v %v", res, err)
	}
	res, err = browser.Get(up.url + "/apps")
	body, _ := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 || !strings.Contains(string(body), "expense-approvals") {
		t.Fatalf("apps page after sign-in: %v %d\n%s", err, res.StatusCode, body)
	}

	// Single sign-on: the sign-in page offers it, the flow signs Sam in
	// with the platform role his group gives.
	jar, _ = cookiejar.New(nil)
	browser.Jar = jar
	if page := getBody(t, up.url+"/sign-in"); !strings.Contains(page, "/auth/oidc/start") {
		t.Fatalf("the sign-in page offers no single sign-on:\n%s", page)
	}
	res, err = browser.Get(up.url + "/auth/oidc/start")
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("start: %v %v", res, err)
	}
	code, state := idp.Authorize(t, res.Header.Get("Location"))
	res, err = browser.Get(up.url + "/auth/oidc/callback?code=" + url.QueryEscape(code) + "&state=" + url.QueryEscape(state))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("callback: %v %v", res, err)
	}
	res, _ = browser.Get(up.url + "/audit")
	body, _ = io.ReadAll(res.Body)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("the platform role may not read the audit trail, got %d", res.StatusCode)
	}
	r := up.remote(t, up.token, "", "audit", "export")
	if !strings.Contains(r.stdout, `"action":"user.sign_in","subject":"user:sam@example.com"`) {
		t.Fatalf("no audited SSO sign-in:\n%s", r.stdout)
	}
}
