package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// nodeAPIApp scaffolds the node-api template once, as a developer would,
// with a secret for the feature flag key and an address that reads the
// flag `greeting` over OFREP.
func nodeAPIApp(t *testing.T, dir string) {
	t.Helper()
	if r := cli(t, "", "new", "node-api", dir, "--name", "hello", "--owner", "web", "--audience", "team", "--data", "internal", "--yes"); r.code != 0 {
		t.Fatalf("runway new: %s%s", r.stdout, r.stderr)
	}
	replaceIn(t, filepath.Join(dir, "runway.yaml"), "integrations: []", `integrations:
  - name: flags
    host: 127.0.0.1
    requires_secret: true
    secret: FLAG_KEY`)
	replaceIn(t, filepath.Join(dir, "runway.yaml"), "security_review: false", "security_review: true")
	replaceIn(t, filepath.Join(dir, "app", "routes.js"), "    // Lists every item.", `    // Reads the feature flag "greeting" over OFREP, with the app's key.
    route('GET', '/api/flag', async () => {
      const res = await fetch(process.env.OFREP_ENDPOINT + '/ofrep/v1/evaluate/flags/greeting', {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + process.env.FLAG_KEY, 'Content-Type': 'application/json' },
        body: JSON.stringify({ context: { targetingKey: 'user-1' } }),
      });
      return { body: await res.json() };
    }),

    // Lists every item.`)
}

// setMode changes what /api/hello answers: "v1", "bad" (failing every
// second request) or "v3", starting from the scaffolded routes each time.
func setMode(t *testing.T, dir, mode string) {
	t.Helper()
	path := filepath.Join(dir, "app", "routes.js")
	orig := filepath.Join(filepath.Dir(dir), "routes.js.orig") // kept outside the app's source
	if _, err := os.Stat(orig); err != nil {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(orig, data, 0o644)
	}
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	answer := map[string]string{
		"v1":  "      return { body: { message: 'v1' } };\n",
		"bad": "      hits++;\n      if (hits % 2 === 0) throw new Error('the new version breaks');\n      return { body: { message: 'bad' } };\n",
		"v3":  "      return { body: { message: 'v3' } };\n",
	}[mode]
	s := strings.Replace(string(data), "      const name = (query.name || 'world').trim();\n", answer+"      const name = (query.name || 'world').trim();\n", 1)
	s = strings.Replace(s, "function createRoutes(", "let hits = 0;\n\nfunction createRoutes(", 1)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
}

var appsURL = regexp.MustCompile(`Apps: (http://\S+)/apps/APP/`)

// deployPlatform starts `runway up` with a quick canary (1 s and 20
// requests per step), creates teams and people with one grant each, and
// returns the server, where its apps are served, the people's tokens and
// a check that fails the test with the server's log.
func deployPlatform(t *testing.T, teams []string, grants map[string]runway.RoleGrant) (*upProcess, string, map[string]string, func(result, string) result) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is needed: .ci/run installs it")
	}
	conf := filepath.Join(t.TempDir(), "runway.yaml")
	os.WriteFile(conf, []byte("canary:\n  min_bake: 1s\n  min_requests: 20\n"), 0o600)
	data := t.TempDir()
	up := startUpEnv(t, []string{"RUNWAY_CONFIG=" + conf}, "--data", data)
	m := appsURL.FindStringSubmatch(up.out.String())
	if m == nil {
		t.Fatalf("runway up did not say where the apps are:\n%s", up.out)
	}
	must := func(r result, what string) result {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s\nserver log:\n%s", what, r.code, r.stdout, r.stderr, up.log)
		}
		return r
	}
	for _, team := range teams {
		must(up.remote(t, up.token, "", "teams", "create", team), "teams create "+team)
	}
	return up, m[1], people(t, filepath.Join(data, "runway.db"), grants), must
}

// TestDeploymentEndToEnd goes through the CLI and a real `runway up`:
// scaffold node-api → check → submit → sandbox (smoke checks) → production after the team
// lead's approval → a version that fails half its requests is rolled back
// by the canary analysis, with the reason → a good version is promoted
// step by step; the app reads a feature flag through OFREP with the key
// it gets as a secret.
func TestDeploymentEndToEnd(t *testing.T) {
	up, apps, tokens, must := deployPlatform(t, []string{"web"}, map[string]runway.RoleGrant{
		"dev": {Role: runway.RoleDeveloper, Team: "web"}, "lead": {Role: runway.RoleTeamLead, Team: "web"},
	})
	dir := filepath.Join(t.TempDir(), "hello")
	nodeAPIApp(t, dir)
	submit := func(mode string) {
		t.Helper()
		setMode(t, dir, mode)
		cli(t, "", "check", dir, "--quiet", "--skip", "build,lint,test", "--vuln-db", vulnDB(t))
		must(up.remote(t, tokens["dev"], "", "submit", dir), "submit "+mode)
	}
	submit("v1")

	// The flag and its key, given to the app as the secret FLAG_KEY.
	flag := filepath.Join(t.TempDir(), "greeting.json")
	os.WriteFile(flag, []byte(`{"key":"greeting","type":"string","variants":[{"name":"hello","value":"hello"},{"name":"bonjour","value":"bonjour"}],"default":{"variant":"bonjour"},"off_variant":"hello","enabled":true}`), 0o644)
	must(up.remote(t, tokens["lead"], "", "flags", "create", "hello", "-f", flag), "flags create")
	key := must(up.remote(t, tokens["lead"], "", "flags", "keys", "create", "hello", "sandbox", "hello-app", "-o", "json"), "flags keys create")
	var k struct{ Secret string }
	json.Unmarshal([]byte(key.stdout), &k)
	must(up.remote(t, tokens["lead"], k.Secret, "secrets", "set", "hello", "FLAG_KEY"), "secrets set")

	// Sandbox: nobody approves; build, start, smoke checks, live.
	must(up.remote(t, tokens["dev"], "", "deploy", "hello"), "deploy")
	waitState(t, up, tokens["dev"], "sandbox", "c1", runway.DeploymentLive)
	if body := get(t, apps+"/apps/hello/sandbox/api/hello"); !strings.Contains(body, `"v1"`) {
		t.Fatalf("the sandbox answers %q", body)
	}
	if body := get(t, apps+"/apps/hello/sandbox/api/flag"); !strings.Contains(body, `"value":"bonjour"`) {
		t.Fatalf("the app read the flag as %q", body)
	}

	// Production: the team lead approves; the first release has nothing
	// to compare with, so it goes live after its smoke checks.
	promote := func() int64 {
		t.Helper()
		r := must(up.remote(t, tokens["dev"], "", "promote", "hello", "--to", "production", "-o", "json"), "promote")
		var p runway.Promotion
		json.Unmarshal([]byte(r.stdout), &p)
		must(up.remote(t, tokens["lead"], "", "approvals", "approve", strconv.FormatInt(p.ID, 10)), "approve")
		return p.ID
	}
	promote()
	waitState(t, up, tokens["dev"], "production", "c1", runway.DeploymentLive)

	// A version that fails half its requests: the canary analysis rolls
	// it back while users keep coming, and says why.
	submit("bad")
	promote()
	waitState(t, up, tokens["dev"], "production", "c2", runway.DeploymentCanary)
	bad := traffic(t, up, tokens["dev"], apps+"/apps/hello/production/api/hello", "c2", runway.DeploymentRolledBack)
	t.Logf("rolled back after %d requests through the proxy", bad)
	status := must(up.remote(t, tokens["dev"], "", "status", "hello"), "status").stdout
	if !regexp.MustCompile(`production\s+c2\s+rolled_back\s+0%\s+The new version failed`).MatchString(status) {
		t.Fatalf("status after the rollback:\n%s", status)
	}
	for range 20 {
		if body := get(t, apps+"/apps/hello/production/api/hello"); !strings.Contains(body, `"v1"`) {
			t.Fatalf("after the rollback a user got %q", body)
		}
	}

	// A good version goes 20% → 50% → 100% and is live.
	submit("v3")
	promote()
	waitState(t, up, tokens["dev"], "production", "c3", runway.DeploymentCanary)
	traffic(t, up, tokens["dev"], apps+"/apps/hello/production/api/hello", "c3", runway.DeploymentLive)
	for range 10 {
		if body := get(t, apps+"/apps/hello/production/api/hello"); !strings.Contains(body, `"v3"`) {
			t.Fatalf("after the promotion a user got %q", body)
		}
	}
	if strings.Contains(up.log.String(), k.Secret) {
		t.Fatal("the flag key appears in the server's log")
	}
}

// deployment finds an app's deployment of version in env.
func deployment(t *testing.T, up *upProcess, token, env, version string) *runway.Deployment {
	t.Helper()
	r := up.remote(t, token, "", "status", "hello", "-o", "json")
	var p page[runway.Deployment]
	json.Unmarshal([]byte(r.stdout), &p)
	for _, d := range p.Items {
		if string(d.Environment) == env && d.Version() == version {
			return &d
		}
	}
	return nil
}

// waitState waits until the deployment reaches state; a deployment that
// ends otherwise fails the test at once.
func waitState(t *testing.T, up *upProcess, token, env, version, state string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		d := deployment(t, up, token, env, version)
		if d != nil && d.State == state {
			return
		}
		if d != nil && runway.DeploymentDone(d.State) {
			t.Fatalf("%s in %s ended %s, not %s: %s\nserver log:\n%s", version, env, d.State, state, d.Reason, up.log)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s in %s did not reach %s: %+v\nserver log:\n%s", version, env, state, d, up.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// traffic sends users' requests (each a new user, so the proxy splits
// them by weight) until the deployment reaches state; it returns how many
// were sent.
func traffic(t *testing.T, up *upProcess, token, url, version, state string) int {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var firstBad, lastBad time.Time
	for n := 1; ; n++ {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			if firstBad.IsZero() {
				firstBad = time.Now()
			}
			lastBad = time.Now()
		}
		if n%10 == 0 {
			d := deployment(t, up, token, "production", version)
			if d != nil && d.State == state {
				if !firstBad.IsZero() {
					t.Logf("%s: %v from the first failed request to the last one a user saw (traffic back on stable)", version, lastBad.Sub(firstBad))
				}
				return n
			}
			if d != nil && runway.DeploymentDone(d.State) {
				t.Fatalf("%s ended %s, not %s: %s", version, d.State, state, d.Reason)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not reach %s after %d requests\nserver log:\n%s", version, state, n, up.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return fmt.Sprint(strings.TrimSpace(string(body)))
}
