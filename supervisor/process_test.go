package supervisor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/supervisor"
)

const secret = "xoxb-2741-s3cr3t-Token-value"

// TestStartHealthStop: a real HTTP app starts on the port it is given,
// turns healthy, answers, and is gone after Stop, state file included.
func TestStartHealthStop(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newSupervisorIn(t, dir)
	p := start(t, s, serveSpec(t.TempDir(), 0, secret))
	ready(t, p)
	st := p.Status()
	if st.State != supervisor.StateRunning || st.PID == 0 || st.Port == 0 || !st.Health.Healthy {
		t.Fatalf("status after WaitReady: %+v", st)
	}
	if err := p.Healthy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := get(t, st.Port, "/healthz"); got != "ok" {
		t.Errorf("GET /healthz = %q", got)
	}
	if len(stateFiles(t, dir)) != 1 {
		t.Errorf("state files while running: %v", stateFiles(t, dir))
	}
	if _, err := s.Start(context.Background(), serveSpec(t.TempDir(), 0, secret)); errorCode(err) != runway.ECONFLICT {
		t.Errorf("second Start of the same key: %v, want a conflict", err)
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Errorf("Wait after Stop: %v", err)
	}
	if st := p.Status(); st.State != supervisor.StateStopped || st.PID != 0 {
		t.Errorf("status after Stop: %+v", st)
	}
	waitGone(t, st.PID)
	if files := stateFiles(t, dir); len(files) != 0 {
		t.Errorf("state files left after Stop: %v", files)
	}
	if _, ok := s.Find(p.Key()); ok {
		t.Error("a stopped process is still listed")
	}
	if err := p.Healthy(context.Background()); errorCode(err) != runway.EUNAVAILABLE {
		t.Errorf("Healthy after Stop: %v", err)
	}
}

// TestCleanEnvironment: apps see exactly the platform's variables, their
// own and their secrets; never Runway's RUNWAY_* variables.
func TestCleanEnvironment(t *testing.T) {
	t.Setenv("RUNWAY_TOKEN", "platform-admin-token")
	t.Setenv("RUNWAY_URL", "http://runway.internal")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "from-the-parent")
	s := newSupervisor(t)
	spec := serveSpec(t.TempDir(), 0, secret)
	spec.OFREPEndpoint = "http://127.0.0.1:8080/ofrep"
	spec.Vars["LOG_LEVEL"] = "debug"
	p := start(t, s, spec)
	ready(t, p)
	var environ []string
	if err := json.Unmarshal([]byte(get(t, p.Port(), "/env")), &environ); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	want := map[string]string{
		"PATH": supervisor.DefaultPath, "LANG": "C.UTF-8", "NODE_ENV": "production",
		"PORT": fmt.Sprint(p.Port()), "HOST": "127.0.0.1",
		"OFREP_ENDPOINT":           "http://127.0.0.1:8080/ofrep",
		"OTEL_SERVICE_NAME":        "expense-approvals",
		"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=sandbox,service.version=v1",
		"HELPER":                   spec.Vars["HELPER"], "LOG_LEVEL": "debug",
		"SLACK_BOT_TOKEN": secret,
		"HOME":            got["HOME"],
	}
	// sh itself adds PWD (and may add SHLVL).
	delete(got, "PWD")
	delete(got, "SHLVL")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("app environment (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got["HOME"], s.LogPath(p.Key())[:strings.Index(s.LogPath(p.Key()), "/logs/")]) {
		t.Errorf("HOME %q is not under the data directory", got["HOME"])
	}
}

// TestSpecValidation: bad specs are refused with a plain reason.
func TestSpecValidation(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	dir := t.TempDir()
	tests := []struct {
		name   string
		change func(*supervisor.Spec)
		want   string
	}{
		{"RUNWAY_ variable", func(sp *supervisor.Spec) { sp.Vars["RUNWAY_TOKEN"] = "x" }, "RUNWAY_* variables are Runway's own"},
		{"RUNWAY_ secret", func(sp *supervisor.Spec) { sp.Secrets["runway_token"] = "x" }, "RUNWAY_* variables are Runway's own"},
		{"PORT replaced", func(sp *supervisor.Spec) { sp.Vars["PORT"] = "80" }, "set by the platform"},
		{"secret and variable", func(sp *supervisor.Spec) { sp.Vars["SLACK_BOT_TOKEN"] = "x" }, "both a variable and a secret"},
		{"bad variable name", func(sp *supervisor.Spec) { sp.Vars["A-B"] = "x" }, "is not valid"},
		{"bad app", func(sp *supervisor.Spec) { sp.App = "Expense_Approvals" }, "app name"},
		{"path traversal in version", func(sp *supervisor.Spec) { sp.Version = "../../etc" }, "version"},
		{"reserved environment", func(sp *supervisor.Spec) { sp.Environment = "build" }, "environment"},
		{"no command", func(sp *supervisor.Spec) { sp.Command = " " }, "no start command"},
		{"missing folder", func(sp *supervisor.Spec) { sp.Dir = filepath.Join(dir, "nope") }, "does not exist"},
		{"health path", func(sp *supervisor.Spec) { sp.Health.Path = "healthz" }, "must start with /"},
		{"tiny memory", func(sp *supervisor.Spec) { sp.Limits.MemoryBytes = 1000 }, "too small"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := serveSpec(dir, 0, secret)
			tt.change(&spec)
			_, err := s.Start(context.Background(), spec)
			if errorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start: %v, want an invalid error saying %q", err, tt.want)
			}
		})
	}
}

// TestOneSupervisorPerDataDir: a second Runway on the same data directory
// is refused, so no two supervisors start the same app.
func TestOneSupervisorPerDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	newSupervisorIn(t, dir)
	_, err := supervisor.New(supervisor.Options{DataDir: dir})
	if errorCode(err) != runway.ECONFLICT {
		t.Fatalf("second New: %v, want a conflict", err)
	}
}

// TestCrashRestartBackoff: a crashing app is restarted after 20, 40, 80,
// 80 ms (the cap), shows as crash_loop from the third crash in a row, and
// is given up after MaxRestarts.
func TestCrashRestartBackoff(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t, func(o *supervisor.Options) {
		o.Restart.CrashLoopAfter = 3
		o.Restart.MaxRestarts = 4
	})
	p := start(t, s, supervisor.Spec{App: "crashy", Environment: runway.EnvSandbox, Version: "1",
		Dir: t.TempDir(), Command: "echo starting; exit 3"})
	var states []supervisor.State
	var delays []time.Duration
	for {
		st, changed := p.Watch()
		if n := len(states); n == 0 || states[n-1] != st.State {
			states = append(states, st.State)
			if st.State == supervisor.StateBackoff || st.State == supervisor.StateCrashLoop {
				delays = append(delays, st.NextStart.Sub(st.LastExit.At).Round(10*time.Millisecond))
			}
		}
		if st.State == supervisor.StateFailed {
			break
		}
		select {
		case <-changed:
		case <-time.After(10 * time.Second):
			t.Fatalf("no change for 10s; states %v, status %+v", states, st)
		}
	}
	err := p.Wait()
	if errorCode(err) != runway.EUNAVAILABLE || !strings.Contains(err.Error(), "crashed 5 times in a row") {
		t.Errorf("Wait: %v", err)
	}
	st := p.Status()
	if st.Restarts != 4 || st.Failures != 5 || st.LastExit.Code != 3 || st.LastExit.Reason != "exited with code 3" {
		t.Errorf("final status: %+v, last exit %+v", st, st.LastExit)
	}
	if !slices.Contains(states, supervisor.StateBackoff) || !slices.Contains(states, supervisor.StateCrashLoop) {
		t.Errorf("states %v: want backoff, then crash_loop", states)
	}
	if want := []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond, 80 * time.Millisecond}; !slices.Equal(delays[:4], want) {
		t.Errorf("backoff delays %v, want %v", delays, want)
	}
	log := readFile(t, st.Log)
	for _, want := range []string{"exited with code 3; restarting in 20ms", "restarting in 40ms", "restarting in 80ms", "given up after 5 crashes in a row", "app    | starting"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestUnhealthyIsRestarted: a running app whose health check keeps failing
// is stopped and started again.
func TestUnhealthyIsRestarted(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	p := start(t, s, serveSpec(t.TempDir(), 0, secret))
	ready(t, p)
	first := p.Status().PID
	get(t, p.Port(), "/sick")
	st := waitFor(t, p, "a restart", func(st supervisor.Status) bool { return st.Restarts == 1 && st.State == supervisor.StateRunning })
	if st.PID == first || !strings.HasPrefix(st.LastExit.Reason, "unhealthy: 2 health checks in a row failed") {
		t.Errorf("after the restart: pid %d (was %d), last exit %+v", st.PID, first, st.LastExit)
	}
	waitGone(t, first)
}

// TestStopKillsTheWholeGroup: Stop ends the app's children too, also one
// that ignores SIGTERM (after the grace period).
func TestStopKillsTheWholeGroup(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	dir := t.TempDir()
	p := start(t, s, supervisor.Spec{App: "forky", Environment: runway.EnvStaging, Version: "2", Dir: dir,
		Command: `sleep 300 & echo $! > pids; (trap '' TERM; echo trapped; exec sleep 301) & echo $! >> pids; echo started; wait`})
	// Both lines: the child has set its trap, and its pid is written.
	waitLog(t, p.Status().Log, "app    | trapped")
	waitLog(t, p.Status().Log, "app    | started")
	pids := append(readPIDs(t, filepath.Join(dir, "pids")), p.Status().PID)
	began := time.Now()
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	waitGone(t, pids...)
	if took < 400*time.Millisecond {
		t.Errorf("Stop took %s: the child ignoring SIGTERM should have had the 500ms grace", took)
	}
	if log := readFile(t, p.Status().Log); !strings.Contains(log, "stopped (stopped on request)") {
		t.Errorf("log:\n%s", log)
	}
}

// TestStopContextKillsAtOnce: when Stop's context ends first, SIGKILL goes
// out without waiting for the grace period.
func TestStopContextKillsAtOnce(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t, func(o *supervisor.Options) { o.StopGrace = time.Minute })
	p := start(t, s, supervisor.Spec{App: "stubborn", Environment: runway.EnvSandbox, Version: "1", Dir: t.TempDir(),
		Command: `trap '' TERM; echo started; while :; do sleep 1; done`})
	waitLog(t, p.Status().Log, "app    | started")
	pid := p.Status().PID
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	p.Stop(ctx)
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("Stop took %s with a 200ms context", took)
	}
	waitGone(t, pid)
}

// TestLogsRedactSecrets: a secret printed by the app, whole, split across
// two writes, base64-encoded or URL-escaped, never reaches the log.
func TestLogsRedactSecrets(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	value := "p@ss w0rd/with+signs&more"
	spec := supervisor.Spec{App: "leaky", Environment: runway.EnvSandbox, Version: "1", Dir: t.TempDir(),
		Secrets: map[string]string{"DB_PASSWORD": value},
		Command: `echo "plain: $DB_PASSWORD"
printf 'split: p@ss w0'; sleep 0.1; printf 'rd/with+signs&more\n'
printf '%s' "$DB_PASSWORD" | base64
printf 'basic: '; printf 'user:%s' "$DB_PASSWORD" | base64
echo "url: p%40ss+w0rd%2Fwith%2Bsigns%26more"
echo done
sleep 300`}
	p := start(t, s, spec)
	log := waitLog(t, p.Status().Log, "app    | done")
	if strings.Contains(log, "w0rd") || strings.Contains(log, "cEBzcyB3MHJk") {
		t.Errorf("a secret reached the log:\n%s", log)
	}
	n := 0
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, " app    | ") {
			n += strings.Count(line, "[redacted DB_PASSWORD]")
		}
	}
	if n != 5 {
		t.Errorf("%d redactions in the app's output, want 5:\n%s", n, log)
	}
	r, err := s.Logs(p.Key())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, _ := io.ReadAll(r); string(b) != log {
		t.Errorf("Logs differs from the file")
	}
	if _, err := s.Logs(supervisor.Key{App: "nope", Environment: "sandbox", Version: "1"}); errorCode(err) != runway.ENOTFOUND {
		t.Errorf("Logs of an unknown app: %v", err)
	}
}

// TestLogLines: each line is stamped with the injected time and its
// source.
func TestLogLines(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 16, 27, 1, 0, time.UTC)
	s := newSupervisor(t, func(o *supervisor.Options) { o.Now = func() time.Time { return now } })
	p := start(t, s, supervisor.Spec{App: "chatty", Environment: runway.EnvSandbox, Version: "1", Dir: t.TempDir(),
		Command: `printf 'one\ntwo'; sleep 0.05; printf ' halves\n'; echo three >&2; sleep 300`})
	log := waitLog(t, p.Status().Log, "app    | three")
	want := "2026-11-29T16:27:01.000Z app    | one\n" +
		"2026-11-29T16:27:01.000Z app    | two halves\n" +
		"2026-11-29T16:27:01.000Z app    | three\n"
	if !strings.Contains(log, want) {
		t.Errorf("log:\n%s\nwant it to contain:\n%s", log, want)
	}
	if !strings.HasPrefix(log, "2026-11-29T16:27:01.000Z runway | started: process ") {
		t.Errorf("log does not start with the start event:\n%s", log)
	}
}

// TestLogRotation: a log past LogMaxBytes moves to NAME.1 and Logs reads
// both, oldest first.
func TestLogRotation(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t, func(o *supervisor.Options) { o.LogMaxBytes = 6 << 10 })
	p := start(t, s, supervisor.Spec{App: "verbose", Environment: runway.EnvSandbox, Version: "1", Dir: t.TempDir(),
		Command: `i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done; echo end; sleep 300`})
	waitLog(t, p.Status().Log, "app    | end")
	if _, err := os.Stat(p.Status().Log + ".1"); err != nil {
		t.Fatalf("no rotated log: %v", err)
	}
	r, err := s.Logs(p.Key())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	if first, last := strings.Index(string(b), "app    | line 0\n"), strings.Index(string(b), "app    | end"); first < 0 || last < first {
		t.Errorf("Logs out of order or incomplete:\n%s", b)
	}
}

// TestStartFailure: a command that is not found crash-loops with a reason
// a person understands.
func TestStartFailure(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	p := start(t, s, supervisor.Spec{App: "typo", Environment: runway.EnvSandbox, Version: "1", Dir: t.TempDir(),
		Command: "nodee app/server.js", Health: supervisor.HealthCheck{Path: "/healthz"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.WaitReady(ctx)
	if errorCode(err) != runway.EUNAVAILABLE || !strings.Contains(err.Error(), "start command was not found") {
		t.Errorf("WaitReady: %v", err)
	}
}
