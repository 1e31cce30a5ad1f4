package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// echoApp writes a small Node.js app named echo: it answers its mode and
// prints a line with its secret API_TOKEN when it starts, which the log
// must show redacted.
func echoApp(t *testing.T, dir, mode string) {
	t.Helper()
	files := map[string]string{
		"runway.yaml": `name: echo
owner: web
risk: low
audience: team
data: [internal]
integrations:
  - name: api
    host: api.example.com
    requires_secret: true
    secret: API_TOKEN
flags:
  security_review: true
run:
  start: node server.js
  health: /healthz
`,
		"server.js": `const http = require('http');
const mode = ` + strconv.Quote(mode) + `;
console.log('echo ' + mode + ' starts with token ' + process.env.API_TOKEN);
http.createServer((req, res) => {
  if (req.url === '/healthz') { res.end('ok'); return; }
  res.end(mode);
}).listen(process.env.PORT, '127.0.0.1');
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestManualRollbackEndToEnd goes through the CLI, the API and a real
// `runway up` with the local runtime: a version in its production canary
// is read about (the deployment with its steps, the runbook, the
// version's log with its secret redacted), refused a rollback by someone
// of another team, rolled back by a developer of the team with a reason —
// users get the stable version at once and the canary's process stops —
// and a second rollback finds nothing in its canary and says how to go
// back from the live version.
func TestManualRollbackEndToEnd(t *testing.T) {
	up, apps, tokens, must := deployPlatform(t, []string{"web", "data"}, map[string]runway.RoleGrant{
		"dev": {Role: runway.RoleDeveloper, Team: "web"}, "lead": {Role: runway.RoleTeamLead, Team: "web"},
		"other": {Role: runway.RoleDeveloper, Team: "data"}, "security": {Role: runway.RoleSecurity},
	})
	dir := filepath.Join(t.TempDir(), "echo")
	os.MkdirAll(dir, 0o755)
	submit := func(mode string) {
		t.Helper()
		echoApp(t, dir, mode)
		cli(t, "", "check", dir, "--quiet", "--skip", "build,lint,test", "--vuln-db", vulnDB(t))
		must(up.remote(t, tokens["dev"], "", "submit", dir), "submit "+mode)
	}
	promote := func() {
		t.Helper()
		r := must(up.remote(t, tokens["dev"], "", "promote", "echo", "--to", "production", "-o", "json"), "promote")
		var p runway.Promotion
		json.Unmarshal([]byte(r.stdout), &p)
		must(up.remote(t, tokens["lead"], "", "approvals", "approve", strconv.FormatInt(p.ID, 10)), "approve")
	}
	release := func(mode string) {
		t.Helper()
		submit(mode)
		promote()
	}
	const token = "tok-0123456789abcdef"
	submit("v1")
	must(up.remote(t, tokens["lead"], token, "secrets", "set", "echo", "API_TOKEN"), "secrets set")
	promote()
	echoState(t, up, tokens["dev"], "c1", runway.DeploymentLive)
	release("v2")
	canary := echoState(t, up, tokens["dev"], "c2", runway.DeploymentCanary)

	// The deployment as the API shows it: the canary's steps, and that
	// the developer may roll it back.
	var view struct {
		Deployment  runway.Deployment `json:"deployment"`
		Canary      struct{ Steps []int }
		CanRollBack bool `json:"can_roll_back"`
		Traffic     []struct{ Version string }
	}
	if err := json.Unmarshal([]byte(apiText(t, up, tokens["dev"], "/api/v1/deployments/"+strconv.FormatInt(canary.ID, 10))), &view); err != nil {
		t.Fatal(err)
	}
	if !view.CanRollBack || len(view.Canary.Steps) == 0 || view.Deployment.Stable != "c1" || len(view.Traffic) != 2 {
		t.Fatalf("the deployment's view: %+v", view)
	}
	runbook := must(up.remote(t, tokens["dev"], "", "runbook", "echo"), "runbook").stdout
	for _, s := range []string{"# Runbook: echo in production", "**in its canary**", "runway rollback echo --env production", "Replaces: c1 (candidate #1",
		"secret `API_TOKEN`", "/deployments/" + strconv.FormatInt(canary.ID, 10)} {
		if !strings.Contains(runbook, s) {
			t.Errorf("the runbook lacks %q:\n%s", s, runbook)
		}
	}
	logs := must(up.remote(t, tokens["dev"], "", "logs", "echo"), "logs")
	if !strings.Contains(logs.stdout, "echo v2 starts with token [redacted API_TOKEN]") || strings.Contains(logs.stdout, token) ||
		!strings.Contains(logs.stderr, "The log of echo c2 in production") {
		t.Errorf("the canary's log:\n%s%s", logs.stderr, logs.stdout)
	}
	if metrics := apiText(t, up, "", "/metrics"); !strings.Contains(metrics, `runway_proxy_requests_total{app="echo",env="production",version="c2"}`) {
		t.Errorf("/metrics lacks the proxy's counts of c2")
	}

	// Security sees the deployment but may not roll it back; someone of
	// another team does not even see it. Nothing changes.
	r := up.remote(t, tokens["security"], "", "rollback", "echo", "--reason", "it looks wrong")
	if r.code == 0 || !strings.Contains(r.stderr, "you may not roll back echo: developers and team leads of team web (and admins) may") {
		t.Fatalf("a rollback by security: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = up.remote(t, tokens["other"], "", "rollback", "echo", "--reason", "it looks wrong")
	if r.code == 0 || !strings.Contains(r.stderr, "you may not see candidates for team web") {
		t.Fatalf("a rollback by another team: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := up.remote(t, tokens["dev"], "", "rollback", "echo"); r.code == 0 || !strings.Contains(r.stderr, "Say why") {
		t.Fatalf("a rollback without a reason: exit %d\n%s", r.code, r.stderr)
	}

	out := must(up.remote(t, tokens["dev"], "", "rollback", "echo", "--reason", "the totals look wrong"), "rollback").stdout
	if !strings.Contains(out, "all the traffic of echo in production is on c1 again, and c2 is stopped") {
		t.Errorf("rollback said:\n%s", out)
	}
	for range 20 {
		if body := getText(t, apps+"/apps/echo/production/"); body != "v1" {
			t.Fatalf("after the rollback a user got %q", body)
		}
	}
	d := echoState(t, up, tokens["dev"], "c2", runway.DeploymentRolledBack)
	if d.Reason != "Rolled back by dev@example.com: The totals look wrong." {
		t.Errorf("the rolled-back deployment says %q", d.Reason)
	}
	if l := must(up.remote(t, tokens["dev"], "", "logs", "echo", "--version", "c2", "--lines", "5"), "logs of c2").stdout; !strings.Contains(l, "stopped") {
		t.Errorf("the canary's log does not say it stopped:\n%s", l)
	}
	runbook = must(up.remote(t, tokens["dev"], "", "runbook", "echo", "--deployment", strconv.FormatInt(canary.ID, 10)), "runbook").stdout
	if !strings.Contains(runbook, "manual rollback: Rolled back by dev@example.com") {
		t.Errorf("the runbook lists no incident:\n%s", runbook)
	}

	// Nothing is in its canary now: the live version says how to go back.
	r = up.remote(t, tokens["dev"], "", "rollback", "echo", "--reason", "again")
	if r.code == 0 || !strings.Contains(r.stderr, "c1 of echo in production) is not in its canary: it is live") ||
		!strings.Contains(r.stderr, "there is no earlier one to go back to") {
		t.Fatalf("a rollback of the live version: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(up.log.String(), token) {
		t.Fatal("the secret appears in the server's log")
	}
}

// echoState waits until echo's deployment of version in production
// reaches state, and returns it; one that ends otherwise fails the test.
func echoState(t *testing.T, up *upProcess, token, version, state string) *runway.Deployment {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var p page[runway.Deployment]
		json.Unmarshal([]byte(up.remote(t, token, "", "status", "echo", "-o", "json").stdout), &p)
		for _, d := range p.Items {
			if d.Environment != runway.EnvProduction || d.Version() != version {
				continue
			}
			if d.State == state {
				return &d
			}
			if runway.DeploymentDone(d.State) {
				t.Fatalf("%s ended %s, not %s: %s\nserver log:\n%s", version, d.State, state, d.Reason, up.log)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not reach %s\nserver log:\n%s", version, state, up.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// apiText GETs path from the server with a token ("" for none).
func apiText(t *testing.T, up *upProcess, token, path string) string {
	t.Helper()
	req, err := http.NewRequest("GET", up.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	return string(body)
}

// getText GETs url as a user of an app would.
func getText(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return strings.TrimSpace(string(body))
}
