package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// TestMain lets the durability test run `runway up` as a separate process
// made from this test binary, which it can kill.
func TestMain(m *testing.M) {
	if os.Getenv("RUNWAY_TEST_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// serverProc is `runway up` in a child process.
type serverProc struct {
	cmd               *exec.Cmd
	url, apps, token  string
	log               *syncBuffer
	exited            chan struct{}
	killedByItself    bool
	killedByItselfErr error
}

var upLine = regexp.MustCompile(`Runway is up at (http://\S+) `)

// startServer starts `runway up` on data (and db, when set) in a child
// process; crashAfter > 0 makes it kill itself after that many deployment
// commits.
func startServer(t *testing.T, addr, data, db, conf, masterKey string, crashAfter int) *serverProc {
	t.Helper()
	args := []string{"up", "--addr", addr, "--data", data}
	if db != "" {
		args = append(args, "--database-url", db)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(testEnviron(t), "RUNWAY_TEST_RUN_MAIN=1", "RUNWAY_CONFIG="+conf, fmt.Sprintf("RUNWAY_TEST_CRASH_AFTER_COMMITS=%d", crashAfter),
		// PostgreSQL servers need a master key for app secrets.
		"RUNWAY_MASTER_KEY="+masterKey)
	out, _ := cmd.StdoutPipe()
	sp := &serverProc{cmd: cmd, log: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = sp.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				sp.killedByItself = true
			}
		}
		sp.killedByItselfErr = err
		close(sp.exited)
	}()
	t.Cleanup(func() { sp.stop() })
	deadline := time.After(60 * time.Second)
	for sp.apps == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("runway up ended before it was up:\n%s", sp.log)
			}
			if m := upLine.FindStringSubmatch(l); m != nil {
				sp.url = m[1]
			}
			if m := bootstrapToken.FindStringSubmatch("\n" + l + "\n"); m != nil {
				sp.token = m[1]
			}
			if m := appsURL.FindStringSubmatch(l); m != nil {
				sp.apps = m[1]
			}
		case <-deadline:
			t.Fatalf("runway up did not start:\n%s", sp.log)
		}
	}
	go func() {
		for range lines {
		}
	}()
	return sp
}

// dead reports whether the server process has ended.
func (sp *serverProc) dead() bool {
	select {
	case <-sp.exited:
		return true
	default:
		return false
	}
}

// stop ends the server as Ctrl+C does (its apps stop with it).
func (sp *serverProc) stop() {
	if sp.dead() {
		return
	}
	sp.cmd.Process.Signal(os.Interrupt)
	select {
	case <-sp.exited:
	case <-time.After(30 * time.Second):
		sp.cmd.Process.Kill()
		<-sp.exited
	}
}

// errCrashed says the server died under the driver.
var errCrashed = errors.New("the server is gone")

// driver drives one app through two production releases, idempotently:
// run again after a crash, it goes on from wherever things are.
type driver struct {
	t      *testing.T
	dir    string
	tokens map[string]string
	sp     *serverProc
}

func (r *driver) cli(token, stdin string, args ...string) (result, error) {
	var out, errb bytes.Buffer
	env := append(testEnviron(r.t), "RUNWAY_URL="+r.sp.url, "RUNWAY_TOKEN="+token)
	a := &app{stdio: stdio{in: strings.NewReader(stdin), out: &out, err: &errb}, environ: env, terminal: func(any) bool { return false }}
	res := result{stdout: "", stderr: "", code: a.execute(context.Background(), args)}
	res.stdout, res.stderr = out.String(), errb.String()
	if res.code != 0 {
		if r.sp.dead() || strings.Contains(res.stderr, "cannot reach the Runway server") {
			return res, errCrashed
		}
		return res, fmt.Errorf("runway %s: exit %d: %s%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res, nil
}

func (r *driver) deployments() ([]runway.Deployment, error) {
	res, err := r.cli(r.tokens["dev"], "", "status", "hello", "-o", "json")
	if err != nil && strings.Contains(res.stderr, `no app named "hello"`) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p page[runway.Deployment]
	return p.Items, json.Unmarshal([]byte(res.stdout), &p)
}

func (r *driver) find(version string) (*runway.Deployment, error) {
	ds, err := r.deployments()
	for _, d := range ds {
		if d.Environment == runway.EnvProduction && d.Version() == version {
			return &d, err
		}
	}
	return nil, err
}

// release makes sure candidate n exists and is deployed to production,
// then waits until it is live, sending users' requests meanwhile.
func (r *driver) release(n int, mode string) error {
	res, err := r.cli(r.tokens["dev"], "", "candidates", "list", "--app", "hello", "-o", "json")
	if err != nil && !strings.Contains(res.stderr, `no app named "hello"`) {
		return err
	}
	var cs page[runway.Candidate]
	json.Unmarshal([]byte(res.stdout), &cs)
	if len(cs.Items) < n {
		helloApp(r.t, r.dir, mode)
		cli(r.t, "", "check", r.dir, "--quiet", "--skip", "build,lint,test", "--vuln-db", vulnDB(r.t))
		if _, err := r.cli(r.tokens["dev"], "", "submit", r.dir); err != nil {
			return err
		}
	}
	// The app declares the secret FLAG_KEY; it must have a value to start.
	list, err := r.cli(r.tokens["lead"], "", "secrets", "list", "hello")
	if err != nil {
		return err
	}
	if !strings.Contains(list.stdout, "FLAG_KEY") {
		if _, err := r.cli(r.tokens["lead"], "rwf_not-a-real-key-for-this-test", "secrets", "set", "hello", "FLAG_KEY"); err != nil {
			return err
		}
	}
	d, err := r.find(runway.VersionOf(n))
	if err != nil {
		return err
	}
	if d == nil {
		res, err := r.cli(r.tokens["dev"], "", "approvals", "list", "--all", "--app", "hello", "--state", "pending", "-o", "json")
		if err != nil {
			return err
		}
		var ps page[runway.Promotion]
		json.Unmarshal([]byte(res.stdout), &ps)
		id := int64(0)
		for _, p := range ps.Items {
			if p.Candidate == n && p.Environment == runway.EnvProduction {
				id = p.ID
			}
		}
		if id == 0 {
			res, err := r.cli(r.tokens["dev"], "", "promote", "hello", "--to", "production", "-o", "json")
			if err != nil {
				return err
			}
			var p runway.Promotion
			json.Unmarshal([]byte(res.stdout), &p)
			id = p.ID
		}
		if _, err := r.cli(r.tokens["lead"], "", "approvals", "approve", strconv.FormatInt(id, 10)); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		if r.sp.dead() {
			return errCrashed
		}
		if res, err := http.Get(r.sp.apps + "/apps/hello/production/"); err == nil {
			res.Body.Close()
		}
		d, err := r.find(runway.VersionOf(n))
		if err != nil {
			return err
		}
		if d != nil && (d.State == runway.DeploymentLive || d.State == runway.DeploymentReplaced) {
			return nil
		}
		if d != nil && runway.DeploymentDone(d.State) {
			return fmt.Errorf("%s ended %s: %s", d.Version(), d.State, d.Reason)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is stuck: %+v", runway.VersionOf(n), d)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func (r *driver) run() error {
	if err := r.release(1, "v1"); err != nil {
		return err
	}
	return r.release(2, "v2")
}

// TestKillAtEveryPersistencePoint kills the server (SIGKILL, from inside,
// right after the commit) at each persistence point of a rollout — the
// approval that starts a deployment and every transition, through the
// canary of a second release — then starts it again on the same data and
// finishes the rollout. Every time: no deployment is stuck, every
// version's process is started once (the restart adopts it), the audit
// trail verifies, and the approvals are all there. On SQLite and
// PostgreSQL.
func TestKillAtEveryPersistencePoint(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { killPoints(t, "") })
	t.Run("postgres", func(t *testing.T) { killPoints(t, runwaytest.PostgresURL(t)) })
}

func killPoints(t *testing.T, pg string) {
	conf := filepath.Join(t.TempDir(), "runway.yaml")
	os.WriteFile(conf, []byte("canary:\n  min_bake: 200ms\n  min_requests: 10\n"), 0o600)
	var raw [32]byte
	rand.Read(raw[:])
	key := base64.StdEncoding.EncodeToString(raw[:])
	crashed := 0
	for point := 1; ; point++ {
		db := ""
		if pg != "" {
			db = runwaytest.FreshSchema(t)
		}
		data := t.TempDir()
		// The same address after the restart: the apps' environment
		// (OFREP_ENDPOINT) names it, and an unchanged environment is what
		// lets the restart adopt them.
		addr := freeAddr(t)
		sp := startServer(t, addr, data, db, conf, key, point)
		if _, err := (&driver{t: t, sp: sp}).cli(sp.token, "", "teams", "create", "web"); err != nil {
			t.Fatal(err)
		}
		r := &driver{t: t, dir: filepath.Join(t.TempDir(), "hello"), sp: sp}
		os.MkdirAll(r.dir, 0o755)
		r.tokens = peopleAt(t, data, db)
		token := sp.token
		err := r.run()
		if err == nil {
			// The rollout ended before the kill point: every point was
			// visited.
			t.Logf("%d kill points, each one resumed", crashed)
			if crashed < 10 {
				t.Fatalf("only %d persistence points in a two-release rollout: the kill hook is not counting", crashed)
			}
			return
		}
		if !errors.Is(err, errCrashed) {
			t.Fatalf("kill point %d, before the kill: %v\n%s", point, err, sp.log)
		}
		<-sp.exited
		if !sp.killedByItself {
			t.Fatalf("kill point %d: the server ended without its kill (%v):\n%s", point, sp.killedByItselfErr, sp.log)
		}
		crashed++
		first := sp.log.String()
		sp = startServer(t, addr, data, db, conf, key, 0)
		sp.token = token
		r.sp = sp
		if err := r.run(); err != nil {
			t.Fatalf("kill point %d: after the restart: %v\nfirst run:\n%s\nsecond run:\n%s", point, err, first, sp.log)
		}
		checkAfterCrash(t, point, r, first+sp.log.String())
		sp.stop()
	}
}

// checkAfterCrash: nothing stuck, nothing done twice, nothing lost.
func checkAfterCrash(t *testing.T, point int, r *driver, logs string) {
	t.Helper()
	ds, err := r.deployments()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !runway.DeploymentDone(d.State) {
			t.Errorf("kill point %d: deployment %d (%s) is stuck in %s", point, d.ID, d.Version(), d.State)
		}
	}
	for _, v := range []string{"c1", "c2"} {
		if n := strings.Count(logs, `"msg":"process started","key":"hello/production/`+v+`"`); n != 1 {
			t.Errorf("kill point %d: %s was started %d times in production", point, v, n)
		}
	}
	res, err := r.cli(r.sp.token, "", "audit", "verify")
	if err != nil {
		t.Errorf("kill point %d: the audit trail: %v", point, err)
	}
	_ = res
	res, err = r.cli(r.tokens["dev"], "", "approvals", "list", "--all", "--app", "hello", "--state", "started", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var ps page[runway.Promotion]
	json.Unmarshal([]byte(res.stdout), &ps)
	if len(ps.Items) != 2 {
		t.Errorf("kill point %d: %d started promotions, want 2", point, len(ps.Items))
	}
	for _, p := range ps.Items {
		full, err := r.cli(r.tokens["dev"], "", "approvals", "show", strconv.FormatInt(p.ID, 10), "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		var got runway.Promotion
		json.Unmarshal([]byte(full.stdout), &got)
		if len(got.Approvals) != 1 || got.Approvals[0].By != "user:lead@example.com" {
			t.Errorf("kill point %d: promotion %d lost its approval: %+v", point, p.ID, got.Approvals)
		}
	}
}

// peopleAt creates the developer and the team lead in the server's
// database (SQLite under data, or db).
func peopleAt(t *testing.T, data, db string) map[string]string {
	if db == "" {
		db = filepath.Join(data, "runway.db")
	}
	return people(t, db, map[string]runway.RoleGrant{
		"dev": {Role: runway.RoleDeveloper, Team: "web"}, "lead": {Role: runway.RoleTeamLead, Team: "web"},
	})
}

// freeAddr returns a loopback address with a free port, and the next port
// free too (the apps listen there).
func freeAddr(t *testing.T) string {
	t.Helper()
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().(*net.TCPAddr)
		l.Close()
		next, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", addr.Port+1))
		if err == nil {
			next.Close()
			return addr.String()
		}
	}
}

// helloApp writes a small Node.js app: it answers its mode ("v1", "bad",
// "v3"), fails every second request when the mode starts with "bad", and
// reads the feature flag `greeting` through OFREP with its flag key.
func helloApp(t *testing.T, dir, mode string) {
	t.Helper()
	files := map[string]string{
		"runway.yaml": `name: hello
owner: web
risk: low
audience: team
data: [internal]
integrations:
  - name: flags
    host: 127.0.0.1
    requires_secret: true
    secret: FLAG_KEY
flags:
  security_review: true
run:
  start: node server.js
  health: /healthz
`,
		"mode.txt": mode + "\n",
		"server.js": `const http = require('http');
const fs = require('fs');
const mode = fs.readFileSync(__dirname + '/mode.txt', 'utf8').trim();
let n = 0;
http.createServer(async (req, res) => {
  if (req.url === '/healthz') { res.end('ok'); return; }
  if (req.url === '/flag') {
    const r = await fetch(process.env.OFREP_ENDPOINT + '/ofrep/v1/evaluate/flags/greeting', {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + process.env.FLAG_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ context: { targetingKey: 'user-1' } }),
    });
    const j = await r.json();
    res.end(String(j.value));
    return;
  }
  n++;
  if (mode.startsWith('bad') && n % 2 === 0) { res.statusCode = 500; res.end('boom'); return; }
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
